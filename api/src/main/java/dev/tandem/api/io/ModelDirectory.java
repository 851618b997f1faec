package dev.tandem.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.ServiceLoader;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model directory in Hugging Face layout: {@value #CONFIG} (its {@code model_type} picks the
 * {@link ModelFamily}), weights in {@value #WEIGHTS} or shards listed by {@value
 * CheckpointFiles#INDEX} ({@link CheckpointFiles}, F32/BF16/F16), and a tokenizer: Tandem's
 * byte-level {@value #TOKENIZER}, or another format a {@link TokenizerProvider} reads (Hugging Face's
 * {@code tokenizer.json} with {@code tokenizer_config.json}). {@link #load} reads and validates all
 * of it eagerly, weights included, so a loaded directory is known to be complete and to match its
 * config; {@link #writeModel} writes it back in the same layout: the same config fields (with {@code
 * torch_dtype} set to what is written), the same tensor names and dtype, the tokenizer files and
 * {@value #GENERATION_CONFIG} unchanged.
 */
public final class ModelDirectory {
  /** The model's config: {@code model_type} and the family's fields. */
  public static final String CONFIG = "config.json";
  /** The weights, single-file layout. */
  public static final String WEIGHTS = CheckpointFiles.SINGLE;
  /** The tokenizer (Tandem's byte-level format or Hugging Face's). */
  public static final String TOKENIZER = "tokenizer.json";
  /** Generation defaults (eos ids, sampling), carried over unchanged when present. */
  public static final String GENERATION_CONFIG = "generation_config.json";

  private final Path path;
  private final ModelCheckpoint checkpoint;
  private final Tokenizer tokenizer;
  private final Map<String, byte[]> carried;

  private ModelDirectory(Path path, ModelCheckpoint checkpoint, Tokenizer tokenizer, Map<String, byte[]> carried) {
    this.path = path;
    this.checkpoint = checkpoint;
    this.tokenizer = tokenizer;
    this.carried = carried;
  }

  /** {@link #load(Path, ModelFormats)} with the formats {@link ServiceLoader} finds. */
  public static ModelDirectory load(Path dir) throws IOException {
    return load(dir, ModelFormats.discovered());
  }

  /**
   * Loads the model in {@code dir}.
   *
   * @throws ModelFormatException naming the directory and the missing files, or naming the file and
   *     field or tensor at fault: an unknown {@code model_type}, a config the family rejects, a
   *     missing, unexpected or misshapen weight, a tokenizer with more ids than {@code vocab_size}
   * @throws IOException if a file cannot be read
   */
  public static ModelDirectory load(Path dir, ModelFormats formats) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(
          dir, Files.exists(dir) ? "not a directory" : "no such model directory");
    }
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(dir.resolve(CONFIG))) {
      missing.add(CONFIG);
    }
    if (!CheckpointFiles.present(dir)) {
      missing.add(WEIGHTS + " (or " + CheckpointFiles.INDEX + ")");
    }
    if (!Files.isRegularFile(dir.resolve(TOKENIZER))) {
      missing.add(TOKENIZER);
    }
    if (!missing.isEmpty()) {
      throw new ModelFormatException(
          dir,
          "missing " + String.join(", ", missing) + " (a model directory holds " + CONFIG + ", "
              + WEIGHTS + " and " + TOKENIZER + ")");
    }
    ModelCheckpoint checkpoint = ModelCheckpoint.read(dir, formats);
    Tokenizer tokenizer = loadTokenizer(dir, formats);
    checkVocab(dir, checkpoint.model().config(), tokenizer);
    Map<String, byte[]> carried = new LinkedHashMap<>();
    for (String f : tokenizerFiles(dir, formats)) {
      carried.put(f, Files.readAllBytes(dir.resolve(f)));
    }
    if (Files.isRegularFile(dir.resolve(GENERATION_CONFIG))) {
      carried.put(GENERATION_CONFIG, Files.readAllBytes(dir.resolve(GENERATION_CONFIG)));
    }
    return new ModelDirectory(dir, checkpoint, tokenizer, carried);
  }

  private static Tokenizer loadTokenizer(Path dir, ModelFormats formats) throws IOException {
    Path file = dir.resolve(TOKENIZER);
    if (Tokenizers.isTandemFormat(file)) {
      return Tokenizers.load(file);
    }
    for (TokenizerProvider p : formats.tokenizers()) {
      if (p.accepts(dir)) {
        return p.load(dir);
      }
    }
    return Tokenizers.load(file); // not Tandem's and no provider reads it: its precise error
  }

  private static List<String> tokenizerFiles(Path dir, ModelFormats formats) {
    if (Tokenizers.isTandemFormat(dir.resolve(TOKENIZER))) {
      return List.of(TOKENIZER);
    }
    for (TokenizerProvider p : formats.tokenizers()) {
      if (p.accepts(dir)) {
        return p.files(dir);
      }
    }
    return List.of(TOKENIZER);
  }

  /**
   * Writes this model with the given parameter values into an existing directory, in the layout it
   * was loaded from: {@value #CONFIG} as read with {@code torch_dtype} {@code float32}, the weights
   * under their checkpoint names in F32 ({@link ModelCheckpoint#write(Path, Map)}: exact), the
   * tokenizer files and {@value #GENERATION_CONFIG} byte for byte. Each file is written atomically, the set is not (callers
   * stage a directory).
   *
   * @param values parameter values by parameter name (extra names are ignored)
   * @throws IllegalArgumentException if a parameter of the model has no value
   */
  public void writeModel(Path dir, Map<String, HostTensor> values) throws IOException {
    checkpoint.write(dir, values);
    writeTokenizer(dir);
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
    AtomicFiles.writeDirectory(dir, staged -> write(staged, config, tokenizer, weights));
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

  /**
   * Writes the tokenizer files (and {@value #GENERATION_CONFIG}) as loaded, byte for byte, into the
   * existing directory {@code dir}: what a composition built on this model carries.
   */
  public void writeTokenizer(Path dir) throws IOException {
    for (Map.Entry<String, byte[]> f : carried.entrySet()) {
      AtomicFiles.write(dir.resolve(f.getKey()), ch -> AtomicFiles.writeFully(ch, java.nio.ByteBuffer.wrap(f.getValue())));
    }
  }

  /** Whether {@code other} was loaded with the same tokenizer: the same {@value #TOKENIZER} bytes. */
  public boolean sameTokenizer(ModelDirectory other) {
    return java.util.Arrays.equals(carried.get(TOKENIZER), other.carried.get(TOKENIZER))
        || tokenizer.equals(other.tokenizer);
  }

  /** The model's shape (vocabulary, layers, width, context). */
  public ModelConfig config() {
    return checkpoint.model().config();
  }

  /** As {@link ModelCheckpoint#readValues}: what {@link #writeModel} wrote, by parameter name. */
  public Map<String, HostTensor> readModel(Path dir) throws IOException {
    return checkpoint.readValues(dir);
  }

  /**
   * This directory without its weights ({@link #weights()} empty): it still writes models ({@link
   * #writeModel}) and tokenizers, and lets the weights' host memory go once they are on an engine.
   */
  public ModelDirectory withoutWeights() {
    return new ModelDirectory(path, checkpoint.withoutWeights(), tokenizer, carried);
  }

  /** The config and weights. */
  public ModelCheckpoint checkpoint() {
    return checkpoint;
  }

  /** The family that read {@value #CONFIG}. */
  public ModelFamily family() {
    return checkpoint.family();
  }

  /** The model, its parameters named without a prefix. */
  public CausalLM model() {
    return checkpoint.model();
  }

  /** {@value #CONFIG} as read (a copy). */
  public ObjectNode configJson() {
    return checkpoint.configJson();
  }

  /** The stored dtype of the float weights: {@code F32}, {@code BF16} or {@code F16}. */
  public String floatType() {
    return checkpoint.floatType();
  }

  /** The tokenizer from {@value #TOKENIZER}. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The weights by parameter name, in the model's parameter order (unmodifiable). Each value is read
   * from the weight files when asked for and not kept, so that uploading them one by one holds one
   * tensor on the host at a time; ask for each once.
   */
  public Map<String, HostTensor> weights() {
    return checkpoint.weights();
  }

  @Override
  public String toString() {
    return "ModelDirectory(" + path + ", " + checkpoint + ")";
  }
}
