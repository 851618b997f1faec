package dev.tandem.api.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model architecture, read from a Hugging Face {@code config.json}: the plugin point for model
 * families. A family is keyed by {@code config.json}'s {@code model_type} ({@link #modelTypes});
 * given the config it builds the {@link CausalLM} (forward pass, KV-cache decode, layer-level
 * access), which names and shapes every parameter through {@link CausalLM#initialWeights}.
 *
 * <p>A plugin module declares {@code provides dev.tandem.api.model.ModelFamily with ...}; the
 * facade finds families through {@link java.util.ServiceLoader} and {@code tandem families} lists
 * them. The config comes from a downloaded directory and is untrusted: {@link #fromConfig} rejects
 * anything it does not support with an {@link IllegalArgumentException} whose message names the
 * field (the caller prefixes the file).
 */
public interface ModelFamily {
  /** The family's name for listings, e.g. {@code llama}. */
  String name();

  /** The {@code model_type} values this family reads, e.g. {@code [llama, mistral]}. */
  List<String> modelTypes();

  /** One line for listings: the architectures and what is not supported. */
  String describe();

  /** The {@code config.json} fields this family reads (for the documentation and listings). */
  List<String> configFields();

  /**
   * The model a config describes.
   *
   * @param config the parsed {@code config.json}
   * @param prefix prepended to every parameter name (empty for a plain model; e.g. {@code anchor.}
   *     inside a composition)
   * @throws IllegalArgumentException naming the field that is missing, malformed or unsupported
   */
  CausalLM fromConfig(ObjectNode config, String prefix);

  /**
   * Which tensors of a checkpoint are the model's parameters, and under which parameter name:
   * checkpoint key to parameter name. Keys that are not parameters but are known to be harmless
   * (buffers such as GPT-2's {@code attn.bias}, a tied {@code lm_head.weight}) are left out; keys
   * the family does not know are mapped to themselves, so that the caller reports them as
   * unexpected. Parameter names carry the model's prefix. The default maps every key to itself.
   *
   * @param model the model built by {@link #fromConfig}
   * @param checkpointKeys the tensor names in the checkpoint's files
   */
  default Map<String, String> parameterNames(CausalLM model, Set<String> checkpointKeys) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String k : checkpointKeys) {
      out.put(k, k);
    }
    return out;
  }

  /**
   * The module a checkpoint tensor belongs to, as transformers names the model's modules (what PEFT
   * adapter keys and {@code target_modules} refer to): the key without {@code .weight} by default.
   */
  default String moduleName(String checkpointKey) {
    return checkpointKey.endsWith(".weight") ? checkpointKey.substring(0, checkpointKey.length() - 7) : checkpointKey;
  }

  /** Whether linear weights are stored {@code [in, out]} (GPT-2's Conv1D; PEFT's {@code fan_in_fan_out}). */
  default boolean fanInFanOut() {
    return false;
  }

  /** The modules LoRA adapts when no targets are given (PEFT's defaults for the architecture). */
  default List<String> defaultLoraTargets() {
    return List.of("q_proj", "v_proj");
  }
}
