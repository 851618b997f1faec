package dev.tandem.api.compose;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.ModelWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * A model loaded onto an engine, plain (a GPT from a model directory) or composed (a {@link
 * ComposedModel} over frozen base models): the network, its parameters on the device, its tokenizer
 * and how to write it back. Training, evaluation and generation treat both alike.
 */
public final class LoadedModel {
  private final Path path;
  private final CausalLM model;
  private final Parameters params;
  private final Tokenizer tokenizer;
  private final ModelWriter writer;
  private final ComposedModel composition;
  private final Adapted adapted;

  /**
   * A LoRA adapter on a base model.
   *
   * @param adapter the adapter
   * @param base the base's directory, without its weights (the base's values are on the engine)
   * @param initial the adapter's values when loaded ({@link #restoreInitial})
   */
  public record Adapted(dev.tandem.api.adapter.LoraAdapter adapter, ModelDirectory base, Map<String, HostTensor> initial) {}

  private LoadedModel(
      Path path, CausalLM model, Parameters params, Tokenizer tokenizer, ModelWriter writer, ComposedModel composition) {
    this(path, model, params, tokenizer, writer, composition, null);
  }

  private LoadedModel(
      Path path, CausalLM model, Parameters params, Tokenizer tokenizer, ModelWriter writer, ComposedModel composition,
      Adapted adapted) {
    this.path = path;
    this.model = model;
    this.params = params;
    this.tokenizer = tokenizer;
    this.writer = writer;
    this.composition = composition;
    this.adapted = adapted;
  }

  /** A base model with a LoRA adapter, as built by {@link Adapters}. */
  static LoadedModel adapted(Path path, CausalLM model, Parameters params, Tokenizer tokenizer, ModelWriter writer, Adapted adapted) {
    return new LoadedModel(path, model, params, tokenizer, writer, null, adapted);
  }

  /**
   * Writes the full model with the adapter folded in, as a model directory in the base's layout
   * (atomically): a model transformers loads without PEFT.
   *
   * @throws IllegalStateException for a model without an adapter
   */
  public void saveMerged(Path dir) throws IOException {
    Map<String, HostTensor> merged = mergedWeights();
    dev.tandem.api.io.AtomicFiles.writeDirectory(dir, staged -> adapted.base().writeModel(staged, merged));
  }

  /** The adapter, for a base model with a LoRA adapter. */
  public Optional<Adapted> adapter() {
    return Optional.ofNullable(adapted);
  }

  /**
   * Sets the parameters back to their values when loaded: from {@link #path()} for a plain or
   * composed model, from memory for a new adapter (whose initial values are nowhere on disk).
   */
  public void restoreInitial() throws IOException {
    if (adapted != null && adapted.initial() != null) {
      adapted.initial().forEach(params::write);
    } else {
      restore(path);
    }
  }

  /**
   * The full model's weights with the adapter folded in ({@code W + scale B A}), by parameter name
   * of the base: what {@code tandem merge} writes.
   *
   * @throws IllegalStateException for a model without an adapter
   */
  public Map<String, HostTensor> mergedWeights() {
    if (adapted == null) {
      throw new IllegalStateException("not an adapted model");
    }
    Map<String, HostTensor> base = new java.util.LinkedHashMap<>();
    Map<String, HostTensor> adapter = new java.util.LinkedHashMap<>();
    Set<String> own = adapted.adapter().shapes().keySet();
    for (String n : params.names()) {
      (own.contains(n) ? adapter : base).put(n, params.read(n));
    }
    return adapted.adapter().merge(base, adapter);
  }

  /**
   * Loads a plain or composed model directory onto {@code engine}; composition strategies are
   * found through {@link ServiceLoader} (the facade's {@code Tandem#loadModel} uses its registry
   * instead).
   *
   * @param trainable whether the model's own parameters receive gradients: all of a plain model's,
   *     a composition's new ones (its bases are always frozen); false: all frozen
   * @throws IOException naming the file when the directory is incomplete, malformed, or its weights
   *     do not match its {@code config.json}; for a composition also when a base is missing or has
   *     changed
   */
  public static LoadedModel load(Engine engine, Path dir, boolean trainable) throws IOException {
    if (Compositions.isComposed(dir)) {
      Map<String, CompositionStrategy> found = new HashMap<>();
      ServiceLoader.load(CompositionStrategy.class).forEach(s -> found.putIfAbsent(s.name(), s));
      return Compositions.load(engine, dir, trainable, found);
    }
    return load(engine, dir, trainable, Map.of(), dev.tandem.api.io.ModelFormats.discovered());
  }

  /**
   * As {@link #load(Engine, Path, boolean)} with the given composition strategies.
   *
   * @param strategies the composition strategies by name, for composed directories
   */
  public static LoadedModel load(
      Engine engine, Path dir, boolean trainable, Map<String, CompositionStrategy> strategies) throws IOException {
    return load(engine, dir, trainable, strategies, dev.tandem.api.io.ModelFormats.discovered());
  }

  /**
   * As {@link #load(Engine, Path, boolean, Map)}, reading plain directories with the given model
   * families and tokenizer providers.
   */
  public static LoadedModel load(
      Engine engine, Path dir, boolean trainable, Map<String, CompositionStrategy> strategies,
      dev.tandem.api.io.ModelFormats formats) throws IOException {
    if (Compositions.isComposed(dir)) {
      return Compositions.load(engine, dir, trainable, strategies);
    }
    if (dev.tandem.api.adapter.AdapterDirectory.isAdapter(dir)) {
      return Adapters.load(engine, dir, null, trainable, formats);
    }
    return loadPlain(engine, dir, trainable, formats);
  }

  private static LoadedModel loadPlain(
      Engine engine, Path dir, boolean trainable, dev.tandem.api.io.ModelFormats formats) throws IOException {
    ModelDirectory md = ModelDirectory.load(dir, formats);
    Map<String, HostTensor> weights = md.weights();
    Parameters params = upload(engine, weights, trainable ? weights.keySet() : Set.of());
    ModelDirectory light = md.withoutWeights(); // no host copy of the weights beside the engine's
    ModelWriter writer =
        new ModelWriter() {
          @Override
          public void write(Path d, Map<String, HostTensor> w) throws IOException {
            light.writeModel(d, w);
          }

          @Override
          public Map<String, HostTensor> read(Path d) throws IOException {
            return light.readModel(d);
          }
        };
    return new LoadedModel(dir, md.model(), params, md.tokenizer(), writer, null);
  }

  /**
   * The engine's parameters from {@code values}, which may be read lazily from a model's files, then
   * the heap that reading them passed through handed back ({@link
   * dev.tandem.api.io.TensorMaps#releaseHostMemory}).
   */
  static Parameters upload(Engine engine, Map<String, HostTensor> values, Set<String> trainable) {
    Parameters params = engine.createParameters(values, trainable);
    dev.tandem.api.io.TensorMaps.releaseHostMemory(
        params.names().stream().mapToLong(n -> params.shape(n).size()).sum());
    return params;
  }

  /** A composed model, as built by {@link Compositions}. */
  public static LoadedModel composed(
      Path path, CausalLM model, Parameters params, Tokenizer tokenizer, ModelWriter writer, ComposedModel composition) {
    return new LoadedModel(path, model, params, tokenizer, writer, composition);
  }

  /**
   * The same network and parameters, recorded as loaded from {@code path}: for a model whose
   * current values were just saved there (e.g. an SFT result that a later stage starts from).
   */
  public LoadedModel withPath(Path path) {
    return new LoadedModel(path, model, params, tokenizer, writer, composition, adapted);
  }

  /** The directory it was loaded from (null for a composition created in memory). */
  public Path path() {
    return path;
  }

  /** The network. */
  public CausalLM model() {
    return model;
  }

  /** Its parameters on the engine. */
  public Parameters params() {
    return params;
  }

  /** The tokenizer (a composition's is its anchor's, shared by all bases). */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The model's shape (a composition's: its anchor's, context limited to the shortest base). */
  public ModelConfig config() {
    return model.config();
  }

  /**
   * Writes the model's files into an existing directory: {@code config.json}, {@code
   * model.safetensors} and {@code tokenizer.json} for a plain model; {@code composition.json}, the
   * new parameters and the tokenizer for a composition. For the trainer's checkpoints and final
   * model.
   */
  public ModelWriter writer() {
    return writer;
  }

  /**
   * Saves the model's current values as a model directory, atomically ({@link
   * dev.tandem.api.io.AtomicFiles#replaceDirectory}): a plain model directory, or a composed one
   * (its new parameters only) for a composition.
   */
  public void save(Path dir) throws IOException {
    dev.tandem.api.io.AtomicFiles.writeDirectory(dir, staged -> writer.write(staged, writer.values(params)));
  }

  /**
   * Sets the model's parameters from a directory this model's {@link #writer()} wrote (or {@link
   * #save saved}), read back through {@link ModelWriter#read}: every trainable parameter must be there;
   * frozen ones absent from the file (a composition's bases) keep their values.
   *
   * @throws IOException naming the file and the missing parameter
   */
  public void restore(Path dir) throws IOException {
    Path file = composition != null ? dir.resolve(composition.composition().parametersFile())
        : adapted != null ? dir.resolve(dev.tandem.api.adapter.AdapterDirectory.WEIGHTS)
        : dev.tandem.api.io.CheckpointFiles.identifyingFile(dir);
    Map<String, HostTensor> w = writer.read(dir);
    for (String name : params.names()) {
      HostTensor v = w.get(name);
      if (v != null) {
        params.write(name, v);
      } else if (params.trainable().contains(name) || (composition == null && adapted == null)) {
        throw new IOException(file + ": missing parameter " + name);
      }
    }
  }

  /** Whether {@code dir} holds a complete model directory, plain or composed. */
  public static boolean isComplete(Path dir) {
    boolean adapterWeights = java.nio.file.Files.isRegularFile(dir.resolve(dev.tandem.api.adapter.AdapterDirectory.WEIGHTS));
    if (Compositions.isComposed(dir)) { // its parameters: model.safetensors, or PEFT's files (LoRA)
      return (dev.tandem.api.io.CheckpointFiles.present(dir) || adapterWeights)
          && java.nio.file.Files.isRegularFile(dir.resolve(ModelDirectory.TOKENIZER));
    }
    if (dev.tandem.api.adapter.AdapterDirectory.isAdapter(dir)) {
      return adapterWeights;
    }
    return java.nio.file.Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG))
        && dev.tandem.api.io.CheckpointFiles.present(dir)
        && java.nio.file.Files.isRegularFile(dir.resolve(ModelDirectory.TOKENIZER));
  }

  /** The composition, for a composed model. */
  public Optional<ComposedModel> composition() {
    return Optional.ofNullable(composition);
  }
}
