package dev.tandem.api.model;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model directory loaded onto an engine: the GPT, its parameters on the device, and its tokenizer.
 *
 * @param directory the files it came from
 * @param model the network
 * @param params its parameters on the engine
 */
public record LoadedModel(ModelDirectory directory, Gpt model, Parameters params) {
  /**
   * Loads {@code dir} onto {@code engine}.
   *
   * @param trainable whether every parameter receives gradients (false: all frozen)
   * @throws IOException naming the file when the directory is incomplete, malformed, or its weights
   *     do not match its {@code config.json}
   */
  public static LoadedModel load(Engine engine, Path dir, boolean trainable) throws IOException {
    ModelDirectory md = ModelDirectory.load(dir);
    Gpt gpt = new Gpt(md.config());
    Map<String, HostTensor> weights = md.weights();
    checkWeights(dir.resolve(ModelDirectory.WEIGHTS), gpt.initialWeights(0), weights);
    Parameters params = engine.createParameters(weights, trainable ? weights.keySet() : Set.of());
    return new LoadedModel(md, gpt, params);
  }

  public Tokenizer tokenizer() {
    return directory.tokenizer();
  }

  public ModelConfig config() {
    return model.config();
  }

  /** Every expected tensor present with the expected shape; nothing unexpected. */
  static void checkWeights(Path file, Map<String, HostTensor> expected, Map<String, HostTensor> actual)
      throws IOException {
    for (var e : expected.entrySet()) {
      HostTensor a = actual.get(e.getKey());
      if (a == null) {
        throw new IOException(file + ": missing tensor " + e.getKey() + " (config.json expects it)");
      }
      if (!a.shape().equals(e.getValue().shape())) {
        throw new IOException(file + ": tensor " + e.getKey() + " has shape " + a.shape() + " but config.json implies " + e.getValue().shape());
      }
      if (a.dtype() != e.getValue().dtype()) {
        throw new IOException(file + ": tensor " + e.getKey() + " is " + a.dtype() + ", expected " + e.getValue().dtype());
      }
    }
    Set<String> extra = new TreeSet<>(actual.keySet());
    extra.removeAll(expected.keySet());
    if (!extra.isEmpty()) {
      throw new IOException(file + ": unexpected tensors " + extra);
    }
  }
}
