package dev.tandem.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads and writes {@code config.json} with GPT-2's field names. Unknown fields are ignored; the
 * required fields ({@code vocab_size}, {@code n_layer}, {@code n_head}, {@code n_embd}, {@code
 * n_positions}) must be present positive integers; {@code layer_norm_epsilon} defaults to 1e-5;
 * {@code n_inner} and {@code activation_function}, when present and not null, must match what
 * Tandem's GPT computes ({@code 4 * n_embd}, {@code gelu_new}). Every error is a {@link
 * ModelFormatException} naming the file and the field, e.g. {@code /m/config.json: n_head must be a
 * positive integer, not 0}.
 */
public final class ModelConfigs {
  private static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh");

  private ModelConfigs() {}

  /** The config in {@code file}. */
  public static ModelConfig read(Path file) throws IOException {
    ObjectNode root = JsonFiles.readObject(file);
    int vocab = positiveInt(file, root, "vocab_size");
    int nLayer = positiveInt(file, root, "n_layer");
    int nHead = positiveInt(file, root, "n_head");
    int nEmbd = positiveInt(file, root, "n_embd");
    int nPositions = positiveInt(file, root, "n_positions");
    float eps = 0f;
    JsonNode epsNode = root.get("layer_norm_epsilon");
    if (epsNode != null && !epsNode.isNull()) {
      if (!epsNode.isNumber()) {
        throw new ModelFormatException(file, "layer_norm_epsilon must be a number, not " + epsNode);
      }
      eps = epsNode.floatValue();
    }
    JsonNode inner = root.get("n_inner");
    if (inner != null && !inner.isNull() && !(inner.isInt() && inner.intValue() == 4 * nEmbd)) {
      throw new ModelFormatException(
          file, "n_inner " + inner + " is not supported; Tandem's MLP width is 4 * n_embd = " + 4L * nEmbd);
    }
    JsonNode act = root.get("activation_function");
    if (act != null && !act.isNull() && !(act.isTextual() && TANH_GELU.contains(act.textValue()))) {
      throw new ModelFormatException(
          file, "activation_function " + act + " is not supported; Tandem uses \"gelu_new\"");
    }
    try {
      return new ModelConfig(vocab, nLayer, nHead, nEmbd, nPositions, eps);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
  }

  /** Writes {@code config} to {@code file}, pretty-printed, atomically. */
  public static void write(Path file, ModelConfig config) throws IOException {
    JsonFiles.write(file, toJson(config));
  }

  /** {@code config} as a JSON object with GPT-2's field names. */
  public static ObjectNode toJson(ModelConfig config) {
    ObjectNode o = JsonFiles.newObject();
    o.put("model_type", config.modelType());
    o.put("vocab_size", config.vocabSize());
    o.put("n_positions", config.nPositions());
    o.put("n_embd", config.nEmbd());
    o.put("n_layer", config.nLayer());
    o.put("n_head", config.nHead());
    o.put("n_inner", config.nInner());
    o.put("activation_function", config.activationFunction());
    o.put("layer_norm_epsilon", config.layerNormEpsilon());
    return o;
  }

  private static int positiveInt(Path file, ObjectNode root, String field) throws ModelFormatException {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw new ModelFormatException(file, "missing required field " + field);
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
      throw new ModelFormatException(file, field + " must be a positive integer, not " + v);
    }
    return v.intValue();
  }
}
