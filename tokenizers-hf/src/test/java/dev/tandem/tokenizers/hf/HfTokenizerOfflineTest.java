package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Rust library comes out of the tokenizers jar: the build points DJL_CACHE_DIR at a folder under
 * target/, and after loading a tokenizer the library is there (this machine has no network).
 */
class HfTokenizerOfflineTest {
  @Test
  void nativeLibraryIsExtractedFromTheJar() throws Exception {
    HfTokenizerGoldenTest.tokenizer("tiny-llama");
    String cache = System.getProperty("DJL_CACHE_DIR");
    org.junit.jupiter.api.Assumptions.assumeTrue(cache != null, "run by Maven (DJL_CACHE_DIR set)");
    try (Stream<Path> files = Files.walk(Path.of(cache, "tokenizers"))) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("libtokenizers")),
          "libtokenizers under " + cache);
    }
    assertTrue(Boolean.getBoolean("ai.djl.offline") || Boolean.getBoolean("OPT_OUT_TRACKING"));
  }
}
