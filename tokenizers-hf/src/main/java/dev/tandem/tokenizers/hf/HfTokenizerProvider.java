package dev.tandem.tokenizers.hf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face tokenizers ({@code tokenizer.json} with a top-level {@code "model"}, as the Rust
 * library writes it), read by {@link HfTokenizer}. Tandem's own byte-level {@code tokenizer.json}
 * (top-level {@code "type": "byte-level"}) is not accepted.
 */
public final class HfTokenizerProvider implements TokenizerProvider {
  /** The files that make up a Hugging Face tokenizer, in the order {@link #files} lists them. */
  public static final List<String> TOKENIZER_FILES =
      List.of(
          HfTokenizer.TOKENIZER_JSON,
          HfTokenizer.TOKENIZER_CONFIG,
          HfTokenizer.SPECIAL_TOKENS_MAP,
          ChatTemplates.JINJA_FILE,
          "added_tokens.json",
          "vocab.json",
          "merges.txt",
          "tokenizer.model");

  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String name() {
    return "huggingface";
  }

  /**
   * Whether {@code dir/tokenizer.json} is a JSON object with a top-level {@code "model"} and without
   * {@code "type": "byte-level"}. Streams the top level only (values are skipped, not built).
   */
  @Override
  public boolean accepts(Path dir) {
    Path file = dir.resolve(HfTokenizer.TOKENIZER_JSON);
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (JsonParser p = JSON.createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean model = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("type") && value == JsonToken.VALUE_STRING && "byte-level".equals(p.getText())) {
          return false;
        }
        if (field.equals("model")) {
          model = value == JsonToken.START_OBJECT;
        }
        p.skipChildren();
      }
      return model;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public Tokenizer load(Path dir) throws IOException {
    return HfTokenizer.load(dir);
  }

  /** Those of {@link #TOKENIZER_FILES} present in {@code dir}. */
  @Override
  public List<String> files(Path dir) {
    List<String> out = new ArrayList<>();
    for (String name : TOKENIZER_FILES) {
      if (Files.isRegularFile(dir.resolve(name))) {
        out.add(name);
      }
    }
    return out;
  }
}
