package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.io.Tokenizers;
import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerProviderTest {
  private final HfTokenizerProvider provider = new HfTokenizerProvider();

  @Test
  void foundByServiceLoader() {
    assertTrue(ServiceLoader.load(TokenizerProvider.class).stream()
        .anyMatch(p -> p.type() == HfTokenizerProvider.class));
    assertEquals("huggingface", provider.name());
  }

  @Test
  void acceptsHuggingFaceNotTandem(@TempDir Path tmp) throws Exception {
    assertTrue(provider.accepts(TestDirs.shared("qwen3")));
    assertTrue(provider.accepts(TestDirs.shared("tiny-llama")));
    assertFalse(provider.accepts(tmp), "no tokenizer.json");
    assertFalse(provider.accepts(tmp.resolve("absent")));
    Tokenizers.save(tmp.resolve("tokenizer.json"), new ByteTokenizer());
    assertFalse(provider.accepts(tmp), "Tandem's byte-level file");
    Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {}}, \"type\": \"byte-level\"}");
    assertFalse(provider.accepts(tmp));
    for (String garbage : new String[] {"", "[]", "{\"model\": 3}", "{\"model\": {", "\u0000\u0001", "{\"version\": \"1.0\"}"}) {
      Files.writeString(tmp.resolve("tokenizer.json"), garbage);
      assertFalse(provider.accepts(tmp), garbage);
    }
    Files.writeString(tmp.resolve("tokenizer.json"), HfTokenizerHostileTest.SMALL);
    assertTrue(provider.accepts(tmp));
  }

  @Test
  void filesListsTokenizerFilesOnly(@TempDir Path tmp) throws Exception {
    Path dir = TestDirs.copy("qwen3", tmp);
    assertEquals(List.of("tokenizer.json", "tokenizer_config.json"), provider.files(dir));
    for (String f : new String[] {"chat_template.jinja", "merges.txt", "vocab.json", "generation_config.json",
        "config.json", "special_tokens_map.json", "tokenizer.model", "model.safetensors"}) {
      Files.writeString(dir.resolve(f), "{}");
    }
    assertEquals(
        List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
            "vocab.json", "merges.txt", "tokenizer.model"),
        provider.files(dir));
  }

  @Test
  void loads() throws Exception {
    assertInstanceOf(HfTokenizer.class, provider.load(TestDirs.shared("tiny-llama")));
  }
}
