package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed model directories fail with a ModelFormatException naming the file and field. */
class HfTokenizerHostileTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A small valid tokenizer.json with one special token. */
  static final String SMALL =
      "{\"version\": \"1.0\", \"added_tokens\": [{\"id\": 3, \"content\": \"<eos>\", \"special\": true,"
          + " \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false}],"
          + " \"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null,"
          + " \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0, \"b\": 1, \"[UNK]\": 2},"
          + " \"unk_token\": \"[UNK]\"}}";

  static void editConfig(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path file = dir.resolve("tokenizer_config.json");
    ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(file));
    edit.accept(config);
    Files.writeString(file, JSON.writeValueAsString(config));
  }

  private static Path small(Path tmp, String tokenizerJson, String config) throws IOException {
    Files.writeString(tmp.resolve("tokenizer.json"), tokenizerJson);
    Files.writeString(tmp.resolve("tokenizer_config.json"), config);
    return tmp;
  }

  private static ModelFormatException fails(Path dir, String file, String... words) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfTokenizer.load(dir));
    assertTrue(e.getMessage().contains(file), "names " + file + ": " + e.getMessage());
    assertEquals(file, e.file().getFileName().toString());
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "mentions " + w + ": " + e.getMessage());
    }
    return e;
  }

  @Test
  void smallValidTokenizer(@TempDir Path tmp) throws Exception {
    HfTokenizer tok = HfTokenizer.load(small(tmp, SMALL, "{\"eos_token\": \"<eos>\"}"));
    assertEquals(4, tok.vocabSize());
    assertEquals(3, tok.eosId());
    assertEquals("a b", tok.decode(tok.encode("a b")));
    assertEquals(3, tok.encodeWithSpecials("a <eos>")[1]);
    assertEquals(2, tok.encode("<eos>")[0], "plain text <eos> is unknown text, not the special");
  }

  @Test
  void missingFiles(@TempDir Path tmp) throws Exception {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfTokenizer.load(tmp.resolve("nope")));
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    fails(tmp, "tokenizer.json", "missing");
    Files.writeString(tmp.resolve("tokenizer.json"), SMALL);
    fails(tmp, "tokenizer_config.json", "missing");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[1, 2]",
        "{\"version\": \"1.0\"}",
        "{\"model\": 5}",
        "{\"model\": {}}",
        "{\"model\": {\"type\": 7, \"vocab\": {}}}",
        "{\"model\": {\"type\": \"BPE\", \"vocab\": \"x\"}}",
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}}}",
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"0\"}}}",
        "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\"]]}}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}}}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": {}}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": [5]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": [{\"id\": \"1\", \"content\": \"x\"}]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": [{\"id\": 1, \"content\": 2}]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": [{\"id\": 1, \"content\": \"x\", \"special\": \"yes\"}]}",
        "{\"model\": {\"type\": \"a\", \"vocab\": {\"a\": 0}}, \"added_tokens\": [{\"id\": 1, \"content\": \"x\", \"special\": true}]}",
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": 5}, \"added_tokens\": [{\"id\": 1, \"content\": \"x\", \"special\": true}]}",
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}, \"added_tokens\": [{\"id\": 1, \"content\": \"x\", \"special\": true}]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}, \"unk_token\": \"a\"}, \"normalizer\": {\"type\": \"Nope\"}, \"added_tokens\": [{\"id\": 1, \"content\": \"x\", \"special\": true}]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\", \"invert\": false}, \"added_tokens\": [{\"id\": 1, \"content\": \"x\", \"special\": true}]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0, \"b\": 1}, \"unk_token\": \"a\"}, \"added_tokens\": [{\"id\": 7, \"content\": \"x\", \"special\": true}]}",
        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0, \"b\": 1}, \"unk_token\": \"a\"}, \"added_tokens\": [{\"id\": 0, \"content\": \"x\", \"special\": true}]}",
      })
  void malformedTokenizerJson(String text, @TempDir Path tmp) throws Exception {
    ModelFormatException e = fails(small(tmp, text, "{\"eos_token\": \"x\"}"), "tokenizer.json");
    if (text.contains("Split") || text.contains("Nope") || text.contains("\"id\": 7") || text.contains("\"id\": 0,")) {
      assertTrue(e.getMessage().contains("library"), "rejected by the library or its numbering: " + e.getMessage());
    }
  }

  @Test
  void garbageBytesAndDeepNesting(@TempDir Path tmp) throws Exception {
    byte[] garbage = new byte[4096];
    new java.util.Random(1).nextBytes(garbage);
    Files.write(tmp.resolve("tokenizer.json"), garbage);
    Files.writeString(tmp.resolve("tokenizer_config.json"), "{}");
    fails(tmp, "tokenizer.json");
    Files.writeString(tmp.resolve("tokenizer.json"), "[".repeat(100_000) + "]".repeat(100_000));
    fails(tmp, "tokenizer.json");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "[]",
        "{\"eos_token\": 3}",
        "{\"eos_token\": [\"<eos>\"]}",
        "{\"eos_token\": {\"content\": 3}}",
        "{\"eos_token\": \"\"}",
        "{\"eos_token\": \"<missing>\"}",
        "{\"eos_token\": \"<eos>\", \"pad_token\": \"<missing>\"}",
        "{\"eos_token\": \"<eos>\", \"bos_token\": \"<missing>\"}",
        "{\"eos_token\": \"<eos>\", \"unk_token\": false}",
        "{\"eos_token\": \"<eos>\", \"add_bos_token\": \"true\"}",
        "{\"eos_token\": \"<eos>\", \"add_bos_token\": true}",
        "{\"eos_token\": \"<eos>\", \"chat_template\": 5}",
        "{\"eos_token\": \"<eos>\", \"chat_template\": [{\"name\": \"default\"}]}",
        "{\"eos_token\": \"<eos>\", \"chat_template\": [\"x\"]}",
        "{}",
      })
  void malformedTokenizerConfig(String config, @TempDir Path tmp) throws Exception {
    fails(small(tmp, SMALL, config), "tokenizer_config.json");
  }

  @Test
  void fieldsAreNamed(@TempDir Path tmp) throws Exception {
    fails(small(tmp, SMALL, "{\"eos_token\": \"<nope>\"}"), "tokenizer_config.json", "eos_token", "<nope>", "not in the vocabulary");
    fails(small(tmp, SMALL, "{\"eos_token\": \"<eos>\", \"add_bos_token\": 1}"), "tokenizer_config.json", "add_bos_token");
    fails(small(tmp, SMALL.replace("\"id\": 3", "\"id\": -3"), "{}"), "tokenizer.json", "added_tokens", ".id");
  }

  @Test
  void malformedGenerationConfigAndTemplateFile(@TempDir Path tmp) throws Exception {
    small(tmp, SMALL, "{\"eos_token\": \"<eos>\"}");
    Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\": []}");
    fails(tmp, "generation_config.json", "eos_token_id");
    Files.writeString(tmp.resolve("generation_config.json"), "{oops");
    fails(tmp, "generation_config.json");
    Files.delete(tmp.resolve("generation_config.json"));
    Files.write(tmp.resolve("chat_template.jinja"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
    fails(tmp, "chat_template.jinja", "UTF-8");
  }
}
