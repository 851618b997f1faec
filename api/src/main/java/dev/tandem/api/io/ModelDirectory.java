package dev.tandem.api.io;

import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model directory in Hugging Face layout: {@value #CONFIG}, {@value #WEIGHTS} and {@value
 * #TOKENIZER}. {@link #load} reads and validates all three eagerly (weights included), so a loaded
 * directory is known to be complete; {@link #save} writes all three atomically as a unit.
 */
public final class ModelDirectory {
  /** The model shape, GPT-2 field names. */
  public static final String CONFIG = "config.json";
  /** The weights. */
  public static final String WEIGHTS = "model.safetensors";
  /** The tokenizer, Tandem's format (see {@link Tokenizers}). */
  public static final String TOKENIZER = "tokenizer.json";

  private final Path path;
  private final ModelConfig config;
  private final Tokenizer tokenizer;
  private final Map<String, HostTensor> weights;

  private ModelDirectory(Path path, ModelConfig config, Tokenizer tokenizer, Map<String, HostTensor> weights) {
    this.path = path;
    this.config = config;
    this.tokenizer = tokenizer;
    this.weights = weights;
  }

  /**
   * Loads the model in {@code dir}.
   *
   * @throws ModelFormatException naming the directory and the missing files, or naming the file and
   *     field at fault, or when the tokenizer has more ids than {@code vocab_size}
   * @throws IOException if a file cannot be read
   */
  public static ModelDirectory load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(
          dir, Files.exists(dir) ? "not a directory" : "no such model directory");
    }
    List<String> missing = new ArrayList<>();
    for (String name : List.of(CONFIG, WEIGHTS, TOKENIZER)) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new ModelFormatException(
          dir,
          "missing " + String.join(", ", missing) + " (a model directory holds " + CONFIG + ", "
              + WEIGHTS + " and " + TOKENIZER + ")");
    }
    ModelConfig config = ModelConfigs.read(dir.resolve(CONFIG));
    Tokenizer tokenizer = Tokenizers.load(dir.resolve(TOKENIZER));
    checkVocab(dir, config, tokenizer);
    Map<String, HostTensor> weights = Safetensors.read(dir.resolve(WEIGHTS));
    return new ModelDirectory(dir, config, tokenizer, weights);
  }

  /**
   * Writes a model directory atomically: everything goes into a sibling {@code <dir>.tmp-<random>},
   * which then replaces {@code dir} ({@link AtomicFiles#replaceDirectory}). Files in an existing
   * {@code dir} that are not part of the model are not carried over.
   *
   * @throws ModelFormatException if the tokenizer has more ids than {@code config.vocabSize()}
   */
  public static void save(Path dir, ModelConfig config, Tokenizer tokenizer, Map<String, HostTensor> weights)
      throws IOException {
    checkVocab(dir, config, tokenizer);
    Path staged = AtomicFiles.stagingDirectory(dir);
    try {
      write(staged, config, tokenizer, weights);
      AtomicFiles.replaceDirectory(staged, dir);
    } catch (IOException | RuntimeException | Error e) {
      try {
        AtomicFiles.deleteRecursively(staged);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Writes the three model files into an existing directory, each file atomically but not the set:
   * for callers that stage a whole directory themselves (checkpoints).
   */
  public static void write(Path dir, ModelConfig config, Tokenizer tokenizer, Map<String, HostTensor> weights)
      throws IOException {
    checkVocab(dir, config, tokenizer);
    ModelConfigs.write(dir.resolve(CONFIG), config);
    Tokenizers.save(dir.resolve(TOKENIZER), tokenizer);
    Safetensors.write(dir.resolve(WEIGHTS), weights, Map.of("format", "pt"));
  }

  private static void checkVocab(Path dir, ModelConfig config, Tokenizer tokenizer) throws ModelFormatException {
    if (tokenizer.vocabSize() > config.vocabSize()) {
      throw new ModelFormatException(
          dir,
          "the tokenizer has " + tokenizer.vocabSize() + " ids but " + CONFIG + " has vocab_size "
              + config.vocabSize());
    }
  }

  /** The directory this model was loaded from. */
  public Path path() {
    return path;
  }

  /** The model shape from {@value #CONFIG}. */
  public ModelConfig config() {
    return config;
  }

  /** The tokenizer from {@value #TOKENIZER}. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The weights from {@value #WEIGHTS}, by name in name order (unmodifiable). */
  public Map<String, HostTensor> weights() {
    return weights;
  }

  @Override
  public String toString() {
    return "ModelDirectory(" + path + ", " + config + ", " + weights.size() + " tensors)";
  }
}
