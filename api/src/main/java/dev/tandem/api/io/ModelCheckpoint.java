package dev.tandem.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's config and weights as a Hugging Face directory holds them: {@value
 * ModelDirectory#CONFIG}, whose {@code model_type} picks the {@link ModelFamily}, and the weights
 * ({@link CheckpointFiles}), checked against the parameters the config implies. The tokenizer is
 * {@link ModelDirectory}'s business. A config without {@code model_type} but with GPT-2's {@code
 * n_embd} (early GPT-2 configs, Tandem's first ones) is read as {@code gpt2}.
 */
public final class ModelCheckpoint {
  private static final Map<String, String> TORCH_DTYPES = Map.of("F32", "float32", "BF16", "bfloat16", "F16", "float16");

  private final ObjectNode configJson;
  private final ModelFamily family;
  private final CausalLM model;
  private final Map<String, HostTensor> weights;
  private final Map<String, String> checkpointNames;
  private final String floatType;

  private ModelCheckpoint(
      ObjectNode configJson, ModelFamily family, CausalLM model, Map<String, HostTensor> weights,
      Map<String, String> checkpointNames, String floatType) {
    this.configJson = configJson;
    this.family = family;
    this.model = model;
    this.weights = weights;
    this.checkpointNames = checkpointNames;
    this.floatType = floatType;
  }

  /**
   * Reads the config and weights of {@code dir}.
   *
   * @throws ModelFormatException naming the file and the field or tensor at fault: no or an unknown
   *     {@code model_type}, a config the family rejects, a missing, unexpected or misshapen weight
   */
  public static ModelCheckpoint read(Path dir, ModelFormats formats) throws IOException {
    Path configFile = dir.resolve(ModelDirectory.CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new ModelFormatException(dir, "missing " + ModelDirectory.CONFIG);
    }
    ObjectNode json = JsonFiles.readObject(configFile);
    JsonNode type = json.get("model_type");
    if (type == null && json.has("n_embd")) {
      type = com.fasterxml.jackson.databind.node.TextNode.valueOf("gpt2"); // early GPT-2 configs and Tandem's first ones
    }
    if (type == null || !type.isTextual()) {
      throw new ModelFormatException(configFile, "model_type must be a string naming the architecture, not " + type);
    }
    ModelFamily family = formats.family(type.textValue());
    if (family == null) {
      throw new ModelFormatException(
          configFile, "model_type " + type + " is not supported; installed families read " + formats.modelTypes());
    }
    CausalLM model;
    try {
      model = family.fromConfig(json, "");
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(configFile, e.getMessage(), e);
    }
    CheckpointFiles.Stored stored = CheckpointFiles.read(dir);
    Path weightsFile = CheckpointFiles.identifyingFile(dir);
    Map<String, String> names = family.parameterNames(model, stored.tensors().keySet());
    Map<String, Shape> expected = model.parameterShapes();
    Map<String, String> weights = new LinkedHashMap<>();
    Map<String, String> back = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : names.entrySet()) {
      if (!expected.containsKey(e.getValue())) {
        throw new ModelFormatException(
            weightsFile, "unexpected tensor " + e.getKey() + " (not a parameter of this " + type.textValue() + " config)");
      }
      Shape have = stored.shape(e.getKey());
      Shape want = expected.get(e.getValue());
      if (!have.equals(want)) {
        throw new ModelFormatException(
            weightsFile, "tensor " + e.getKey() + " has shape " + have + " but config.json implies " + want);
      }
      if (stored.dtype(e.getKey()) != DType.FLOAT32) {
        throw new ModelFormatException(weightsFile, "tensor " + e.getKey() + " is " + stored.dtype(e.getKey()) + ", expected a float type");
      }
      weights.put(e.getValue(), e.getKey());
      back.put(e.getValue(), e.getKey());
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String name : expected.keySet()) {
      if (!weights.containsKey(name)) {
        throw new ModelFormatException(weightsFile, "missing tensor " + name + " (config.json expects it)");
      }
      ordered.put(name, weights.get(name));
    }
    // read from the files as they are uploaded, one tensor at a time
    Map<String, HostTensor> lazy = ((LazyTensors) stored.tensors()).renamed(ordered);
    return new ModelCheckpoint(json, family, model, lazy, back, stored.floatType());
  }

  /**
   * Writes {@value ModelDirectory#CONFIG} (as read, {@code torch_dtype} set to {@code float32}) and
   * the weights under their checkpoint names in F32, into the existing directory {@code dir}: exact,
   * so that the saved model gives the logits of the trained one and a resumed run continues
   * bit for bit, whatever dtype the source was stored in.
   *
   * @param values parameter values by parameter name (extra names are ignored)
   * @throws IllegalArgumentException if a parameter has no value
   */
  public void write(Path dir, Map<String, HostTensor> values) throws IOException {
    write(dir, values, "F32");
  }

  /**
   * As {@link #write(Path, Map)}, storing the float weights as {@code floatType} ({@code F32},
   * {@code BF16} or {@code F16}; {@link #floatType()} gives the source's) with {@code torch_dtype} to
   * match.
   */
  public void write(Path dir, Map<String, HostTensor> values, String floatType) throws IOException {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : checkpointNames.entrySet()) {
      HostTensor v = values.get(e.getKey());
      if (v == null) {
        throw new IllegalArgumentException("no value for parameter " + e.getKey());
      }
      out.put(e.getValue(), v);
    }
    ObjectNode config = configJson.deepCopy();
    String torch = TORCH_DTYPES.get(floatType);
    if (torch == null) {
      throw new IllegalArgumentException("cannot store weights as " + floatType + " (F32, BF16 or F16)");
    }
    if (config.has("torch_dtype") || !config.has("dtype")) {
      config.put("torch_dtype", torch);
    }
    if (config.has("dtype")) {
      config.put("dtype", torch);
    }
    JsonFiles.write(dir.resolve(ModelDirectory.CONFIG), config);
    CheckpointFiles.write(dir, out, floatType);
  }

  /**
   * The same config and names without the weights: what writing needs, so that a loaded model does
   * not keep a host copy of its weights beside the engine's.
   */
  public ModelCheckpoint withoutWeights() {
    return new ModelCheckpoint(configJson, family, model, Map.of(), checkpointNames, floatType);
  }

  /**
   * The weights {@link #write} wrote into {@code dir}, by parameter name (checkpoint names mapped
   * back; tensors that are not parameters of this model are left out).
   */
  public Map<String, HostTensor> readValues(Path dir) throws IOException {
    Map<String, HostTensor> stored = CheckpointFiles.read(dir).tensors();
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : checkpointNames.entrySet()) {
      HostTensor v = stored.get(e.getValue());
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  /** {@value ModelDirectory#CONFIG} as read (a copy). */
  public ObjectNode configJson() {
    return configJson.deepCopy();
  }

  /** The family that read the config. */
  public ModelFamily family() {
    return family;
  }

  /** The model, its parameters named without a prefix. */
  public CausalLM model() {
    return model;
  }

  /**
   * The weights by parameter name, in the model's parameter order (unmodifiable). Each value is read
   * from the weight files when asked for and not kept, so that uploading them one by one holds one
   * tensor on the host at a time; ask for each once.
   */
  public Map<String, HostTensor> weights() {
    return weights;
  }

  /** Parameter name to checkpoint key. */
  public Map<String, String> checkpointNames() {
    return Collections.unmodifiableMap(checkpointNames);
  }

  /** The stored dtype of the float weights: {@code F32}, {@code BF16} or {@code F16}. */
  public String floatType() {
    return floatType;
  }

  @Override
  public String toString() {
    return family.name() + " " + model.config() + ", " + weights.size() + " tensors, " + floatType;
  }
}
