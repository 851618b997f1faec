package dev.tandem.api.compose;

import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.HostTensor;
import java.util.Map;
import java.util.Optional;

/**
 * A composition built by a {@link CompositionStrategy}: a {@link CausalLM} over the bases'
 * parameters (under their {@link BaseModel#prefix() prefixes}, frozen) and new parameters (under
 * names of the strategy's choosing, such as {@code calm.0.proj.weight}), which are the only ones that
 * train.
 */
public interface Composition {
  /** The composed model; its parameters are the bases' prefixed ones plus the new ones. */
  CausalLM model();

  /**
   * Initial values of the new parameters, deterministic in {@code seed}. They must make the
   * composition start where its strategy promises (for CALM and LoRA: exactly the anchor).
   */
  Map<String, HostTensor> initialParameters(long seed);

  /** Whether {@link #merge} gives plain weights (false by default). */
  default boolean mergeable() {
    return false;
  }

  /**
   * Plain GPT weights (unprefixed, the anchor's layout) that compute the same function as this
   * composition with the given values of the new parameters, for strategies that can be merged
   * (LoRA); empty for those that cannot (CALM).
   *
   * @param parameters values of the new parameters (other entries are ignored)
   */
  default Optional<Map<String, HostTensor>> merge(Map<String, HostTensor> parameters) {
    return Optional.empty();
  }
}
