package dev.tandem.tokenizers.hf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/** Model directories made from the test resources (tokenizer.json.gz decompressed). */
final class TestDirs {
  private static Path root;

  private TestDirs() {}

  /** A read-only shared directory with the named test tokenizer ("qwen3", "tiny-llama"). */
  static synchronized Path shared(String name) {
    try {
      if (root == null) {
        root = Files.createTempDirectory("hftok-test");
        root.toFile().deleteOnExit();
      }
      Path dir = root.resolve(name);
      if (!Files.isDirectory(dir)) {
        copyTo(name, dir);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh copy of the named test tokenizer under {@code parent}, to modify. */
  static Path copy(String name, Path parent) throws IOException {
    Path dir = parent.resolve(name);
    Path src = shared(name);
    Files.createDirectories(dir);
    try (var files = Files.list(src)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return dir;
  }

  private static void copyTo(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      InputStream in = TestDirs.class.getResourceAsStream("/" + name + "/" + file);
      if (in == null) {
        InputStream gz = TestDirs.class.getResourceAsStream("/" + name + "/" + file + ".gz");
        if (gz == null) {
          throw new IOException("missing test resource " + name + "/" + file);
        }
        in = new GZIPInputStream(gz);
      }
      try (InputStream stream = in) {
        Files.copy(stream, dir.resolve(file));
      }
    }
  }
}
