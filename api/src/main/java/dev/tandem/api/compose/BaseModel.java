package dev.tandem.api.compose;

import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;

/**
 * A frozen base model of a composition: the anchor (whose vocabulary and head the composition
 * keeps) or an augmenting model.
 *
 * @param role {@link #ANCHOR} or {@link #AUGMENT}
 * @param index 0 for the anchor; 0, 1, ... for the augmenting models in order
 * @param path the model directory, absolute and normalised
 * @param directory the loaded directory (config, tokenizer, weights)
 * @param sha256 the SHA-256 of its {@code model.safetensors}, lower-case hex
 */
public record BaseModel(String role, int index, Path path, ModelDirectory directory, String sha256) {
  /** The role of the anchor model. */
  public static final String ANCHOR = "anchor";

  /** The role of an augmenting model. */
  public static final String AUGMENT = "augment";

  public BaseModel {
    if (!role.equals(ANCHOR) && !role.equals(AUGMENT)) {
      throw new IllegalArgumentException("role must be anchor or augment, not " + role);
    }
  }

  /**
   * The prefix of this model's parameter names inside a composition: {@code anchor.} or {@code
   * augment<index>.}.
   */
  public String prefix() {
    return role.equals(ANCHOR) ? "anchor." : "augment" + index + ".";
  }

  /**
   * The model under its composed parameter names ({@link #prefix()} first), built by its family
   * from its {@code config.json}.
   */
  public dev.tandem.api.model.CausalLM model() {
    return directory.family().fromConfig(directory.configJson(), prefix());
  }

  /** The model's shape. */
  public ModelConfig config() {
    return directory.config();
  }

  /** The weights under their composed names ({@link #prefix()} prepended). */
  public Map<String, HostTensor> prefixedWeights() {
    return dev.tandem.api.io.TensorMaps.prefixed(prefix(), directory.weights());
  }

  /** {@code anchor} or {@code augment0}, ... for messages. */
  public String label() {
    return role.equals(ANCHOR) ? ANCHOR : AUGMENT + index;
  }
}
