package dev.tandem.api.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A sample of the WordNet definitions dataset bundled in this jar (prompt/completion JSONL, WordNet
 * 3.0 licence), so that the project builds, tests and demonstrates training without external data.
 * See {@value #README} for its provenance.
 */
public final class SampleData {
  /** The first 2,000 training records. */
  public static final String TRAIN = "train-sample.jsonl";
  /** The first 500 dev records (lemmas disjoint from train). */
  public static final String DEV = "dev-sample.jsonl";
  /** The WordNet 3.0 licence, which must accompany copies. */
  public static final String LICENSE = "LICENSE-WordNet.txt";
  /** Where the sample comes from. */
  public static final String README = "README.md";
  /** Every bundled file. */
  public static final List<String> NAMES = List.of(TRAIN, DEV, LICENSE, README);

  private static final String DIR = "wordnet/";

  private SampleData() {}

  /**
   * The bundled file {@code name}, one of {@link #NAMES}; the caller closes the stream.
   *
   * @throws IllegalArgumentException for another name
   */
  public static InputStream open(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("no sample file " + name + ", known: " + NAMES);
    }
    InputStream in = SampleData.class.getResourceAsStream(DIR + name);
    if (in == null) {
      throw new UncheckedIOException(new IOException("sample file " + name + " is missing from the jar"));
    }
    return in;
  }

  /**
   * Copies the bundled file {@code name} to {@code dir/name} (creating {@code dir}, replacing an
   * existing file) and returns its path.
   */
  public static Path extract(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(name);
    try (InputStream in = open(name)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
