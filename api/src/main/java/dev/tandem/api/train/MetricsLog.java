package dev.tandem.api.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, appended and flushed line by line so that a
 * killed run keeps everything it logged.
 */
public final class MetricsLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public MetricsLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Appends one line. */
  public void append(Map<String, Object> line) {
    try {
      String s = JSON.writeValueAsString(line) + "\n";
      Files.writeString(
          file, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot append metrics", e);
    }
  }

  /**
   * Drops the lines logged after {@code step} (and any torn last line): used when resuming from the
   * checkpoint at {@code step}, so the log reads as if the run had never stopped. Writes the new
   * file atomically.
   */
  public void truncateAfter(long step) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        Map<?, ?> m;
        try {
          m = JSON.readValue(line, Map.class);
        } catch (IOException torn) {
          continue; // a line cut by the kill
        }
        Object s = m.get("step");
        if (s instanceof Number n && n.longValue() <= step) {
          kept.add(line);
        }
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot truncate metrics", e);
    }
  }

  /** Reads every line back (for plots and tests). */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readValue(line, Map.class));
      }
    }
    return out;
  }
}
