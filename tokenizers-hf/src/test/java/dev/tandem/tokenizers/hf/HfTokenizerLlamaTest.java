package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.io.ModelFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Llama-style test tokenizer: add_bos_token, AddedToken objects, a list of chat templates. */
class HfTokenizerLlamaTest {
  private static HfTokenizer llama() {
    return HfTokenizerGoldenTest.tokenizer("tiny-llama");
  }

  @Test
  void specialsEosPadBos() {
    HfTokenizer tok = llama();
    assertEquals(Map.of("<unk>", 0, "<s>", 1, "</s>", 2), tok.specialTokens());
    assertEquals(List.of("<unk>", "<s>", "</s>"), List.copyOf(tok.specialTokens().keySet()));
    assertEquals(2, tok.eosId()); // eos_token {"__type": "AddedToken", "content": "</s>"}
    assertEquals(2, tok.padId()); // pad_token null
    assertEquals(1, tok.bosId().orElseThrow()); // add_bos_token true
    assertEquals(337, tok.vocabSize());
  }

  @Test
  void noBosIsAddedByEncode() {
    HfTokenizer tok = llama();
    int[] ids = tok.encode("Hello world");
    assertTrue(ids.length > 0 && ids[0] != 1);
    assertArrayEquals(new int[] {1, 2}, tok.encodeWithSpecials("<s></s>"));
    assertEquals("Hello world", tok.decode(ids));
  }

  @Test
  void defaultTemplateOfTheList() {
    String source = llama().chatTemplateSource().orElseThrow();
    assertTrue(source.startsWith("{{ bos_token }}"), source);
    assertTrue(llama().chatTemplate().isPresent());
  }

  @Test
  void listWithoutDefaultIsRejected(@TempDir Path tmp) throws Exception {
    Path dir = TestDirs.copy("tiny-llama", tmp);
    HfTokenizerHostileTest.editConfig(dir, c -> c.withArray("chat_template").remove(0));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfTokenizer.load(dir));
    assertTrue(e.getMessage().contains("tokenizer_config.json") && e.getMessage().contains("\"default\""), e.getMessage());
  }

  @Test
  void addBosTokenFalseOrInferredFromThePostProcessor(@TempDir Path tmp) throws Exception {
    Path dir = TestDirs.copy("tiny-llama", tmp);
    HfTokenizerHostileTest.editConfig(dir, c -> c.put("add_bos_token", false));
    assertTrue(HfTokenizer.load(dir).bosId().isEmpty());
    // without add_bos_token (Llama 3's config), the TemplateProcessing post-processor decides
    HfTokenizerHostileTest.editConfig(dir, c -> c.remove("add_bos_token"));
    assertEquals(1, HfTokenizer.load(dir).bosId().orElseThrow());
  }

  @Test
  void specialTokensMapFillsGaps(@TempDir Path tmp) throws Exception {
    Path dir = TestDirs.copy("tiny-llama", tmp);
    HfTokenizerHostileTest.editConfig(dir, c -> c.remove("eos_token"));
    java.nio.file.Files.writeString(dir.resolve("special_tokens_map.json"), "{\"eos_token\": {\"content\": \"<unk>\"}}");
    assertEquals(0, HfTokenizer.load(dir).eosId());
  }
}
