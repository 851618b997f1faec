package dev.tandem.calm;

import dev.tandem.api.adapter.AdaptedLM;
import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.adapter.LoraAdapter;
import dev.tandem.api.adapter.LoraConfig;
import dev.tandem.api.compose.Adapters;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code lora} composition: the api's PEFT adapter ({@link LoraAdapter}) on the frozen anchor,
 * for every family. Its parameters are PEFT's keys ({@code base_model.model.<module>.lora_A.weight}
 * {@code [r, in]}, {@code ...lora_B.weight} {@code [out, r]}), and a composed directory stores them
 * as PEFT's {@value AdapterDirectory#CONFIG} and {@value AdapterDirectory#WEIGHTS} (naming the anchor
 * as the base) beside {@code composition.json}: PEFT loads the same files on the anchor.
 */
public final class LoraComposition implements Composition {
  private final BaseModel anchor;
  private final LoraAdapter adapter;
  private final CausalLM model;

  /**
   * @param anchor the frozen anchor
   * @param config rank, alpha and targets (PEFT module names, or {@value LoraConfig#ALL_LINEAR})
   * @throws IllegalArgumentException when a target matches no weight of the anchor
   */
  public LoraComposition(BaseModel anchor, LoraConfig config) {
    this.anchor = anchor;
    this.adapter = Adapters.adapter(anchor.directory(), config, anchor.prefix());
    this.model = new AdaptedLM(anchor.model(), adapter);
  }

  /** The adapter (parameter names are PEFT's keys; base names carry the anchor's prefix). */
  public LoraAdapter adapter() {
    return adapter;
  }

  @Override
  public CausalLM model() {
    return model;
  }

  /** PEFT's initialisation ({@link LoraAdapter#initialValues}): B is zero, so it starts as the anchor. */
  @Override
  public Map<String, HostTensor> initialParameters(long seed) {
    return adapter.initialValues(seed);
  }

  @Override
  public boolean mergeable() {
    return true;
  }

  /** The anchor's weights, unprefixed, with {@code W + scale B A} folded in ({@link LoraAdapter#merge}). */
  @Override
  public Optional<Map<String, HostTensor>> merge(Map<String, HostTensor> parameters) {
    for (String n : adapter.shapes().keySet()) {
      if (!parameters.containsKey(n)) {
        throw new IllegalArgumentException("cannot merge the lora composition: no value for " + n);
      }
    }
    Map<String, HostTensor> merged = adapter.merge(anchor.prefixedWeights(), parameters);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    merged.forEach((k, v) -> out.put(k.substring(anchor.prefix().length()), v));
    return Optional.of(out);
  }

  @Override
  public String parametersFile() {
    return AdapterDirectory.WEIGHTS;
  }

  /** PEFT's {@value AdapterDirectory#CONFIG} and {@value AdapterDirectory#WEIGHTS}, on the anchor. */
  @Override
  public void writeParameters(Path dir, Map<String, HostTensor> values) throws IOException {
    AdapterDirectory.write(dir, adapter, anchor.path(), anchor.sha256(), values);
  }

  /**
   * PEFT's files, checked against the settings; or, from a directory an older Tandem wrote, {@code
   * model.safetensors} with {@code lora.h.<l>.<target>.lora_A} {@code [in, r]} and {@code lora_B}
   * {@code [r, out]}, transposed into PEFT's layout.
   */
  @Override
  public Map<String, HostTensor> readParameters(Path dir) throws IOException {
    if (!AdapterDirectory.isAdapter(dir) && Files.isRegularFile(dir.resolve(ModelDirectory.WEIGHTS)) && adapter.fanInFanOut()) {
      return legacy(dir.resolve(ModelDirectory.WEIGHTS));
    }
    if (!AdapterDirectory.isAdapter(dir)) {
      throw new ModelFormatException(dir, "missing " + AdapterDirectory.CONFIG + " (the lora composition's adapter, in PEFT's layout)");
    }
    Path config = dir.resolve(AdapterDirectory.CONFIG);
    AdapterDirectory.Header h = AdapterDirectory.readHeader(dir);
    LoraConfig want = adapter.config();
    LoraConfig got = h.config();
    if (got.rank() != want.rank() || got.alpha() != want.alpha() || got.rslora() != want.rslora()
        || !got.targets().equals(want.targets()) || h.fanInFanOut() != adapter.fanInFanOut()) {
      throw new ModelFormatException(
          config, "r " + got.rank() + ", lora_alpha " + got.alpha() + ", target_modules " + got.targets() + ", use_rslora " + got.rslora()
              + ", fan_in_fan_out " + h.fanInFanOut() + " do not match composition.json's settings (r " + want.rank() + ", lora_alpha "
              + want.alpha() + ", target_modules " + want.targets() + ", use_rslora " + want.rslora() + ", fan_in_fan_out "
              + adapter.fanInFanOut() + ")");
    }
    Path weights = dir.resolve(AdapterDirectory.WEIGHTS);
    if (!Files.isRegularFile(weights)) {
      throw new ModelFormatException(dir, "missing " + AdapterDirectory.WEIGHTS + " (the lora composition's parameters)");
    }
    String recorded = AdapterDirectory.baseSha256(dir);
    if (recorded != null && !recorded.equals(anchor.sha256())) {
      throw new ModelFormatException(
          weights, "the adapter was trained on another base (SHA-256 " + recorded + "), not on the anchor " + anchor.path());
    }
    return AdapterDirectory.readWeights(dir);
  }

  /** The old layout (GPT-2 anchors only): {@code A [in, r]}, {@code B [r, out]}, so {@code W += scale A B}. */
  private Map<String, HostTensor> legacy(Path file) throws IOException {
    Map<String, HostTensor> saved = Safetensors.read(file);
    Set<String> unused = new TreeSet<>(saved.keySet());
    Map<String, HostTensor> out = new LinkedHashMap<>();
    int r = adapter.config().rank();
    for (LoraAdapter.Target t : adapter.targets().values()) {
      String local = t.weight().substring(anchor.prefix().length(), t.weight().length() - ".weight".length());
      out.put(t.a(), transposed(file, saved, "lora." + local + ".lora_A", Shape.of(t.in(), r)));
      out.put(t.b(), transposed(file, saved, "lora." + local + ".lora_B", Shape.of(r, t.out())));
      unused.remove("lora." + local + ".lora_A");
      unused.remove("lora." + local + ".lora_B");
    }
    if (!unused.isEmpty()) {
      throw new ModelFormatException(file, "unexpected tensors " + unused + " (not adapters of the settings' targets on this anchor)");
    }
    return out;
  }

  private static HostTensor transposed(Path file, Map<String, HostTensor> saved, String key, Shape shape) throws ModelFormatException {
    HostTensor v = saved.get(key);
    if (v == null) {
      throw new ModelFormatException(file, "missing tensor " + key + " (the settings' targets imply it)");
    }
    if (!v.shape().equals(shape)) {
      throw new ModelFormatException(file, "tensor " + key + " has shape " + v.shape() + ", the anchor and rank imply " + shape);
    }
    int rows = shape.dim(0);
    int cols = shape.dim(1);
    float[] a = v.floats();
    float[] t = new float[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = a[i * cols + j];
      }
    }
    return HostTensor.of(t, cols, rows);
  }
}
