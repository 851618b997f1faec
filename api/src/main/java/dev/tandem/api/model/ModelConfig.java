package dev.tandem.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A GPT-style decoder's shape, stored as {@code config.json} with GPT-2's field names.
 *
 * @param vocabSize {@code vocab_size}
 * @param nLayer {@code n_layer}
 * @param nHead {@code n_head}
 * @param nEmbd {@code n_embd}, divisible by {@code n_head}
 * @param nPositions {@code n_positions}, the context length
 * @param layerNormEpsilon {@code layer_norm_epsilon}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("n_layer") int nLayer,
    @JsonProperty("n_head") int nHead,
    @JsonProperty("n_embd") int nEmbd,
    @JsonProperty("n_positions") int nPositions,
    @JsonProperty("layer_norm_epsilon") float layerNormEpsilon) {

  /** Validates the fields; the message names the offending {@code config.json} field. */
  public ModelConfig {
    positive("vocab_size", vocabSize);
    positive("n_layer", nLayer);
    positive("n_head", nHead);
    positive("n_embd", nEmbd);
    positive("n_positions", nPositions);
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException(
          "n_embd (" + nEmbd + ") must be divisible by n_head (" + nHead + ")");
    }
    if (layerNormEpsilon == 0f) {
      layerNormEpsilon = 1e-5f;
    }
    if (!(layerNormEpsilon > 0) || layerNormEpsilon > 1e-1) {
      throw new IllegalArgumentException("layer_norm_epsilon must be in (0, 0.1], not " + layerNormEpsilon);
    }
  }

  /** A config with the default LayerNorm epsilon 1e-5. */
  public static ModelConfig of(int vocabSize, int nLayer, int nHead, int nEmbd, int nPositions) {
    return new ModelConfig(vocabSize, nLayer, nHead, nEmbd, nPositions, 1e-5f);
  }

  /** Width of one attention head. */
  public int headDim() {
    return nEmbd / nHead;
  }

  @JsonProperty("model_type")
  public String modelType() {
    return "gpt2";
  }

  @JsonProperty("n_inner")
  public int nInner() {
    return 4 * nEmbd;
  }

  @JsonProperty("activation_function")
  public String activationFunction() {
    return "gelu_new";
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be a positive integer, not " + value);
    }
  }
}
