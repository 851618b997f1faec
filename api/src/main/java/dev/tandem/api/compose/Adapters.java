package dev.tandem.api.compose;

import dev.tandem.api.adapter.AdaptedLM;
import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.adapter.LoraAdapter;
import dev.tandem.api.adapter.LoraConfig;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.io.CheckpointFiles;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.io.ModelFormats;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.train.ModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Base models with LoRA adapters on an engine: a new adapter on a base ({@link #fresh}), or an
 * adapter directory in PEFT's layout on the base it names or another ({@link #load}). The base is
 * held once, frozen; only the adapter trains, and the model writes (and checkpoints) the adapter
 * alone, in PEFT's layout, naming its base.
 */
public final class Adapters {
  private Adapters() {}

  /**
   * A new adapter on the model in {@code baseDir}: {@code A} random from {@code seed}, {@code B}
   * zero, trainable; the base frozen.
   *
   * @throws IllegalArgumentException when a target matches no weight, or training would need the
   *     dropout Tandem does not apply
   */
  public static LoadedModel fresh(Engine engine, Path baseDir, LoraConfig config, long seed, ModelFormats formats)
      throws IOException {
    if (config.dropout() > 0) {
      throw new IllegalArgumentException(
          "--lora-dropout " + config.dropout() + " is not supported: Tandem folds the adapter into the weight, where"
              + " dropout on the adapter's input cannot act (train with 0)");
    }
    Path base = baseDir.toAbsolutePath().normalize();
    ModelDirectory md = ModelDirectory.load(base, formats);
    LoraAdapter adapter = adapter(md, config);
    Map<String, HostTensor> initial = adapter.initialValues(seed);
    return onEngine(engine, base, sha(base), md, adapter, initial, true, true);
  }

  /**
   * The adapter in {@code adapterDir} on its base: {@code base}, or the directory its {@code
   * base_model_name_or_path} names.
   *
   * @throws ModelFormatException naming the file at fault: a malformed config, a base that is not
   *     there, is another model than the adapter was trained on (SHA-256 recorded) or has other
   *     shapes, missing or misshapen adapter tensors
   */
  public static LoadedModel load(Engine engine, Path adapterDir, Path base, boolean trainable, ModelFormats formats)
      throws IOException {
    AdapterDirectory.Header h = AdapterDirectory.readHeader(adapterDir);
    Path config = adapterDir.resolve(AdapterDirectory.CONFIG);
    if (base == null) {
      Path named = Path.of(h.base());
      base = named.isAbsolute() ? named : adapterDir.resolve(named);
      if (!Files.isDirectory(base)) {
        throw new ModelFormatException(
            config, "base_model_name_or_path " + h.base() + " is not a directory here: pass the base with --model BASE --adapter "
                + adapterDir);
      }
    }
    base = base.toAbsolutePath().normalize();
    ModelDirectory md = ModelDirectory.load(base, formats);
    if (h.fanInFanOut() != md.family().fanInFanOut()) {
      throw new ModelFormatException(config, "fan_in_fan_out " + h.fanInFanOut() + " does not match the " + md.family().name() + " base " + base);
    }
    String recorded = AdapterDirectory.baseSha256(adapterDir);
    String actual = sha(base); // hashed once: a base's weights may be gigabytes
    if (recorded != null) {
      if (!recorded.equals(actual)) {
        throw new ModelFormatException(
            adapterDir.resolve(AdapterDirectory.WEIGHTS),
            "the adapter was trained on another base (its weights' SHA-256 " + recorded + "), not on " + base + " (" + actual + ")");
      }
    }
    LoraAdapter adapter;
    try {
      adapter = adapter(md, h.config());
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(config, e.getMessage() + " of the base " + base, e);
    }
    Map<String, HostTensor> saved = AdapterDirectory.readWeights(adapterDir);
    Path weights = adapterDir.resolve(AdapterDirectory.WEIGHTS);
    Map<String, Shape> expected = adapter.shapes();
    for (Map.Entry<String, Shape> e : expected.entrySet()) {
      HostTensor v = saved.get(e.getKey());
      if (v == null) {
        throw new ModelFormatException(weights, "missing tensor " + e.getKey() + " (the config's targets imply it)");
      }
      if (!v.shape().equals(e.getValue())) {
        throw new ModelFormatException(weights, "tensor " + e.getKey() + " has shape " + v.shape() + ", the base and r imply " + e.getValue());
      }
    }
    Set<String> extra = new TreeSet<>(saved.keySet());
    extra.removeAll(expected.keySet());
    if (!extra.isEmpty()) {
      throw new ModelFormatException(weights, "unexpected tensors " + extra + " (not adapters of the config's targets on this base)");
    }
    Map<String, HostTensor> values = new LinkedHashMap<>();
    expected.keySet().forEach(k -> values.put(k, saved.get(k)));
    return onEngine(engine, adapterDir, actual, md, adapter, values, trainable, false);
  }

  private static LoraAdapter adapter(ModelDirectory md, LoraConfig config) {
    return adapter(md, config, "");
  }

  /**
   * The adapter of {@code config} on the model of {@code md} whose parameter names carry {@code
   * prefix} (a composition's {@link BaseModel#prefix()}, or none): PEFT's module names, layout and
   * default targets from the model's family, so that it is written and read in PEFT's layout for
   * every family.
   *
   * @throws IllegalArgumentException when a target matches no weight
   */
  public static LoraAdapter adapter(ModelDirectory md, LoraConfig config, String prefix) {
    ModelFamily family = md.family();
    Map<String, String> modules = new LinkedHashMap<>();
    md.checkpoint().checkpointNames().forEach((param, key) -> modules.put(prefix + param, family.moduleName(key)));
    Map<String, Shape> shapes = new LinkedHashMap<>();
    md.model().parameterShapes().forEach((param, shape) -> shapes.put(prefix + param, shape));
    return LoraAdapter.of(config, shapes, modules, family.fanInFanOut(), family.defaultLoraTargets());
  }

  private static String sha(Path base) throws IOException {
    return Compositions.sha256(CheckpointFiles.identifyingFile(base));
  }

  private static LoadedModel onEngine(
      Engine engine, Path path, String sha, ModelDirectory md, LoraAdapter adapter, Map<String, HostTensor> values,
      boolean trainable, boolean fresh) throws IOException {
    // a view, not a copy: the base's weights are read one at a time as the engine takes them
    Map<String, HostTensor> all = dev.tandem.api.io.TensorMaps.concat(md.weights(), values);
    Parameters params = LoadedModel.upload(engine, all, trainable ? values.keySet() : Set.of());
    ModelDirectory light = md.withoutWeights();
    ModelWriter writer =
        new ModelWriter() {
          @Override
          public void write(Path dir, Map<String, HostTensor> w) throws IOException {
            AdapterDirectory.write(dir, adapter, md.path(), sha, w);
            light.writeTokenizer(dir);
          }

          @Override
          public Map<String, HostTensor> read(Path dir) throws IOException {
            return AdapterDirectory.readWeights(dir);
          }

          @Override
          public Map<String, HostTensor> values(Parameters p) {
            return p.readAll(values.keySet());
          }
        };
    LoadedModel.Adapted a = new LoadedModel.Adapted(adapter, light, fresh ? Map.copyOf(values) : null);
    return LoadedModel.adapted(path, new AdaptedLM(md.model(), adapter), params, md.tokenizer(), writer, a);
  }
}
