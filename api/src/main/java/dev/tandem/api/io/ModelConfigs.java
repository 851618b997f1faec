package dev.tandem.api.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;

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
  private ModelConfigs() {}

  /** The config in {@code file}. */
  public static ModelConfig read(Path file) throws IOException {
    ObjectNode root = JsonFiles.readObject(file);
    try {
      return ModelConfig.fromJson(root);
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
}
