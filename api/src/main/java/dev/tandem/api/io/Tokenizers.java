package dev.tandem.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Tandem's {@code tokenizer.json}:
 *
 * <pre>{@code
 * {"type": "byte-level", "version": 1,
 *  "special_tokens": {"<|endoftext|>": 256, "<|pad|>": 257, "<|user|>": 258,
 *                     "<|assistant|>": 259, "<|system|>": 260},
 *  "eos_token": "<|endoftext|>", "pad_token": "<|pad|>"}
 * }</pre>
 *
 * Extra specials continue from id 261. Hugging Face {@code tokenizer.json} files are not read.
 */
public final class Tokenizers {
  /** The only type so far. */
  public static final String BYTE_LEVEL = "byte-level";

  /** The format version written and accepted. */
  public static final int VERSION = 1;

  private Tokenizers() {}

  /**
   * Whether {@code file} is in Tandem's format (a JSON object whose {@code type} is {@value
   * #BYTE_LEVEL}); false for a Hugging Face {@code tokenizer.json} or a file that is not JSON.
   */
  public static boolean isTandemFormat(Path file) {
    try (var in = java.nio.file.Files.newInputStream(file);
        var parser = new com.fasterxml.jackson.core.JsonFactory().createParser(in)) {
      if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return false;
      }
      while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        com.fasterxml.jackson.core.JsonToken value = parser.nextToken();
        if (name.equals("type")) {
          return value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING && BYTE_LEVEL.equals(parser.getText());
        }
        if (name.equals("model") || name.equals("added_tokens")) {
          return false;
        }
        parser.skipChildren();
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The tokenizer described by {@code file}.
   *
   * @throws ModelFormatException naming the file for invalid JSON, an unknown type or version, or
   *     special-token ids that are not 256, 257, ... in the standard order
   */
  public static Tokenizer load(Path file) throws IOException {
    ObjectNode root = JsonFiles.readObject(file);
    JsonNode type = root.get("type");
    if (type == null) {
      String hint = root.has("model") ? " (a Hugging Face tokenizer.json? those need the tandem-tokenizers-hf module on the module path)" : "";
      throw new ModelFormatException(file, "missing field \"type\"" + hint);
    }
    if (!BYTE_LEVEL.equals(type.asText(null)) || !type.isTextual()) {
      throw new ModelFormatException(file, "unknown tokenizer type " + type + ", expected \"" + BYTE_LEVEL + "\"");
    }
    JsonNode version = root.get("version");
    if (version == null || !version.isInt() || version.intValue() != VERSION) {
      throw new ModelFormatException(file, "unsupported version " + version + ", expected " + VERSION);
    }
    ByteTokenizer tokenizer;
    try {
      tokenizer = new ByteTokenizer(extraSpecials(file, root.get("special_tokens")));
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
    checkNamed(file, root, "eos_token", ByteTokenizer.ENDOFTEXT);
    checkNamed(file, root, "pad_token", ByteTokenizer.PAD);
    return tokenizer;
  }

  /**
   * Writes {@code tokenizer} to {@code file} atomically.
   *
   * @throws IllegalArgumentException for a tokenizer other than {@link ByteTokenizer}
   */
  public static void save(Path file, Tokenizer tokenizer) throws IOException {
    if (!(tokenizer instanceof ByteTokenizer)) {
      throw new IllegalArgumentException("cannot save a " + tokenizer.getClass().getName() + " as tokenizer.json");
    }
    ObjectNode root = JsonFiles.newObject();
    root.put("type", BYTE_LEVEL);
    root.put("version", VERSION);
    ObjectNode specials = root.putObject("special_tokens");
    tokenizer.specialTokens().forEach(specials::put);
    root.put("eos_token", ByteTokenizer.ENDOFTEXT);
    root.put("pad_token", ByteTokenizer.PAD);
    JsonFiles.write(file, root);
  }

  /** Checks the special ids are 256, 257, ... with the standard five first; returns the rest. */
  private static List<String> extraSpecials(Path file, JsonNode node) throws ModelFormatException {
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw new ModelFormatException(file, "\"special_tokens\" must be a non-empty object of name: id");
    }
    int count = node.size();
    String[] byId = new String[count];
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode id = f.getValue();
      int slot = id.isInt() ? id.intValue() - ByteTokenizer.BYTES : -1;
      if (slot < 0 || slot >= count || byId[slot] != null) {
        throw new ModelFormatException(
            file,
            "special token " + f.getKey() + " has id " + id + "; a byte-level tokenizer numbers its "
                + count + " specials " + ByteTokenizer.BYTES + ".." + (ByteTokenizer.BYTES + count - 1)
                + ", each once");
      }
      byId[slot] = f.getKey();
    }
    List<String> standard = ByteTokenizer.STANDARD_SPECIALS;
    for (int i = 0; i < standard.size(); i++) {
      String actual = i < count ? byId[i] : null;
      if (!standard.get(i).equals(actual)) {
        throw new ModelFormatException(
            file,
            "special token " + standard.get(i) + " must have id " + (ByteTokenizer.BYTES + i)
                + (actual == null ? " (missing)" : ", found " + actual + " there"));
      }
    }
    List<String> extra = new ArrayList<>();
    for (int i = standard.size(); i < count; i++) {
      extra.add(byId[i]);
    }
    return extra;
  }

  private static void checkNamed(Path file, JsonNode root, String field, String expected)
      throws ModelFormatException {
    JsonNode v = root.get(field);
    if (v != null && !(v.isTextual() && v.textValue().equals(expected))) {
      throw new ModelFormatException(
          file, "\"" + field + "\" is " + v + ", but a byte-level tokenizer uses \"" + expected + "\"");
    }
  }
}
