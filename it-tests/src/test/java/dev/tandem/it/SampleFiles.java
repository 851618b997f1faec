package dev.tandem.it;

import dev.tandem.api.data.SampleData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The WordNet samples shipped in the api jar, written to files for the CLI. */
final class SampleFiles {
  private SampleFiles() {}

  /** The first {@code n} training records. */
  static Path wordnetTrain(Path dir, int n) throws IOException {
    return head(SampleData.TRAIN, dir, n);
  }

  /** The first {@code n} dev records. */
  static Path wordnetDev(Path dir, int n) throws IOException {
    return head(SampleData.DEV, dir, n);
  }

  private static Path head(String name, Path dir, int n) throws IOException {
    Path all = SampleData.extract(name, dir);
    List<String> lines = Files.readAllLines(all, StandardCharsets.UTF_8);
    Path out = dir.resolve(n + "-" + name);
    Files.write(out, lines.subList(0, Math.min(n, lines.size())), StandardCharsets.UTF_8);
    return out;
  }
}
