package dev.tandem.api.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JSONL datasets in TRL's standard forms, one JSON object a line: {@code {"prompt", "completion"}},
 * {@code {"messages": [{"role", "content"}, ...]}}, {@code {"text"}} and preference pairs {@code
 * {"prompt", "chosen", "rejected"}}. Other fields are ignored; blank lines are skipped; forms may not
 * be mixed within one line. Files are streamed line by line.
 *
 * <p>Every problem is a {@link DataFormatException} whose message starts with {@code <file>:<line>:
 * }, e.g. {@code data/train.jsonl:12: missing field "completion"}.
 */
public final class JsonlDataset {
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private JsonlDataset() {}

  /** All records of {@code file}. */
  public static List<DataRecord> read(Path file) throws IOException {
    return read(file, Integer.MAX_VALUE);
  }

  /** The first {@code limit} records of {@code file} (lines after them are not read). */
  public static List<DataRecord> read(Path file, int limit) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, not " + limit);
    }
    List<DataRecord> out = new ArrayList<>();
    String name = file.toString();
    try (InputStream in = Files.newInputStream(file)) {
      LineReader lines = new LineReader(in);
      int lineNo = 0;
      while (out.size() < limit && lines.next()) {
        lineNo++;
        if (!lines.isBlank()) {
          out.add(parse(lines.buffer(), lines.length(), name + ":" + lineNo));
        }
      }
    }
    return out;
  }

  /**
   * Parses one line.
   *
   * @param source {@code file:line}, the prefix of error messages and the records' source
   */
  public static DataRecord parseLine(String line, String source) {
    byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return parse(bytes, bytes.length, source);
  }

  private static DataRecord parse(byte[] bytes, int length, String source) {
    JsonNode node;
    try {
      node = JSON.readTree(bytes, 0, length);
    } catch (JsonProcessingException e) {
      String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      throw new DataFormatException(source, "not valid JSON" + column + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new DataFormatException(source, "not valid JSON: " + e.getMessage(), e);
    }
    return RecordParser.parse(node, source);
  }

  /**
   * The training examples of {@code records} under {@code template}. An example fits when its
   * inputs fit the context, {@code tokens.length - 1 <= context} (see {@link Batcher}); one that does
   * not is passed to {@code skips}, which either throws naming its source or counts it.
   *
   * @throws DataFormatException for a record the template rejects (e.g. messages not ending with
   *     the assistant's, or a preference pair), or a strict skip
   */
  public static List<Example> toExamples(
      List<? extends DataRecord> records, PromptTemplate template, int context, SkipReport skips) {
    if (context < 1) {
      throw new IllegalArgumentException("context must be positive, not " + context);
    }
    String reason = "longer than the context of " + context + " tokens";
    List<Example> out = new ArrayList<>(records.size());
    for (DataRecord r : records) {
      Example e = template.example(r);
      int inputs = e.tokens().length - 1;
      if (inputs > context) {
        skips.skip(e.source(), reason, inputs + " input tokens");
      } else {
        out.add(e);
      }
    }
    return out;
  }

  /** Splits a byte stream at {@code \n} (dropping a trailing {@code \r}) without decoding it. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] buf = new byte[1 << 12];
    private int len;

    LineReader(InputStream in) {
      this.in = in;
    }

    boolean next() throws IOException {
      len = 0;
      int b = read();
      if (b < 0) {
        return false;
      }
      while (b >= 0 && b != '\n') {
        if (len == buf.length) {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = (byte) b;
        b = read();
      }
      if (len > 0 && buf[len - 1] == '\r') {
        len--;
      }
      return true;
    }

    private int read() throws IOException {
      if (pos == limit) {
        limit = in.read(chunk, 0, chunk.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          return -1;
        }
      }
      return chunk[pos++] & 0xff;
    }

    boolean isBlank() {
      for (int i = 0; i < len; i++) {
        byte c = buf[i];
        if (c != ' ' && c != '\t') {
          return false;
        }
      }
      return true;
    }

    byte[] buffer() {
      return buf;
    }

    int length() {
      return len;
    }
  }
}
