package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
  @TempDir Path dir;

  static final String SPECIALS =
      "\"<|endoftext|>\": 256, \"<|pad|>\": 257, \"<|user|>\": 258, \"<|assistant|>\": 259, \"<|system|>\": 260";

  void assertRejected(String json, String expected) throws IOException {
    Path f = Files.writeString(dir.resolve("tokenizer.json"), json);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(f));
    assertTrue(e.getMessage().startsWith(f + ": " + expected), e.getMessage());
  }

  @Test
  void savesTheDocumentedFormatAndLoadsItBack() throws IOException {
    Path f = dir.resolve("tokenizer.json");
    Tokenizers.save(f, new ByteTokenizer());
    var node = dev.tandem.api.io.JsonFiles.readObject(f);
    assertEquals("byte-level", node.get("type").asText());
    assertEquals(1, node.get("version").asInt());
    assertEquals(256, node.get("special_tokens").get("<|endoftext|>").asInt());
    assertEquals(260, node.get("special_tokens").get("<|system|>").asInt());
    assertEquals("<|endoftext|>", node.get("eos_token").asText());
    assertEquals("<|pad|>", node.get("pad_token").asText());
    assertEquals(new ByteTokenizer(), Tokenizers.load(f));

    ByteTokenizer extra = new ByteTokenizer(List.of("<|tool|>"));
    Tokenizers.save(f, extra);
    assertEquals(extra, Tokenizers.load(f));
  }

  @Test
  void readsAHandWrittenFileInAnyKeyOrder() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("tokenizer.json"),
            "{\"special_tokens\": {\"<|x|>\": 261, " + SPECIALS + "}, \"version\": 1, \"type\": \"byte-level\"}");
    Tokenizer t = Tokenizers.load(f);
    assertEquals(262, t.vocabSize());
    assertEquals(261, t.specialId("<|x|>"));
  }

  @Test
  void rejectsBadFilesNamingThem() throws IOException {
    assertRejected("{\"type\": \"bpe\", \"version\": 1}", "unknown tokenizer type \"bpe\", expected \"byte-level\"");
    assertRejected("{\"model\": {\"type\": \"BPE\"}}", "missing field \"type\" (a Hugging Face tokenizer.json?");
    assertRejected("{\"type\": \"byte-level\", \"version\": 2}", "unsupported version 2");
    assertRejected("{\"type\": \"byte-level\", \"version\": 1}", "\"special_tokens\" must be a non-empty object");
    assertRejected(
        "{\"type\": \"byte-level\", \"version\": 1, \"special_tokens\": {" + SPECIALS.replace("257", "300") + "}}",
        "special token <|pad|> has id 300");
    assertRejected(
        "{\"type\": \"byte-level\", \"version\": 1, \"special_tokens\": {"
            + SPECIALS.replace("<|user|>", "<|human|>") + "}}",
        "special token <|user|> must have id 258, found <|human|> there");
    assertRejected(
        "{\"type\": \"byte-level\", \"version\": 1, \"special_tokens\": {\"<|endoftext|>\": 256}}",
        "special token <|pad|> must have id 257 (missing)");
    assertRejected(
        "{\"type\": \"byte-level\", \"version\": 1, \"special_tokens\": {" + SPECIALS + "}, \"eos_token\": \"<|pad|>\"}",
        "\"eos_token\" is \"<|pad|>\", but a byte-level tokenizer uses \"<|endoftext|>\"");
    assertRejected("{\"type\": ", "not valid JSON at line 1 column");
  }

  @Test
  void refusesToSaveOtherTokenizers() {
    Tokenizer other =
        new Tokenizer() {
          public int[] encode(String text) {
            return new int[0];
          }

          public String decode(int[] ids) {
            return "";
          }

          public int vocabSize() {
            return 1;
          }

          public Map<String, Integer> specialTokens() {
            return Map.of();
          }

          public int eosId() {
            return 0;
          }

          public int padId() {
            return 0;
          }
        };
    assertThrows(IllegalArgumentException.class, () -> Tokenizers.save(dir.resolve("t.json"), other));
  }
}
