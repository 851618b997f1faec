package dev.tandem.api.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small JSON files ({@code config.json}, {@code tokenizer.json}, {@code trainer_state.json}): read
 * with errors that name the file, line and column; written pretty-printed and atomically.
 */
public final class JsonFiles {
  /** Duplicate keys and trailing content are errors; output is indented. */
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private JsonFiles() {}

  /**
   * The JSON object in {@code file}.
   *
   * @throws ModelFormatException if it is not UTF-8, not valid JSON ({@code not valid JSON at line
   *     3 column 5: ...}) or not an object
   */
  public static ObjectNode readObject(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (MalformedInputException e) {
      throw new ModelFormatException(file, "not valid UTF-8", e);
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ModelFormatException(file, describe(e), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new ModelFormatException(file, "empty file, expected a JSON object");
    }
    if (!root.isObject()) {
      throw new ModelFormatException(file, "expected a JSON object, found " + root.getNodeType().toString().toLowerCase());
    }
    return (ObjectNode) root;
  }

  /** A new, empty JSON object to fill and {@link #write}. */
  public static ObjectNode newObject() {
    return MAPPER.createObjectNode();
  }

  /** Writes {@code node} pretty-printed, with a final newline, atomically. */
  public static void write(Path file, JsonNode node) throws IOException {
    AtomicFiles.writeString(file, MAPPER.writeValueAsString(node) + "\n");
  }

  /** {@code not valid JSON at line L column C: <parser message>}. */
  public static String describe(JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    return "not valid JSON" + where + ": " + e.getOriginalMessage();
  }
}
