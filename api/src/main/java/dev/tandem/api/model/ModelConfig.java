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

  /**
   * Reads GPT-2's {@code config.json} fields. Unknown fields are ignored; {@code vocab_size}, {@code
   * n_layer}, {@code n_head}, {@code n_embd} and {@code n_positions} must be positive integers;
   * {@code layer_norm_epsilon} defaults to 1e-5; {@code n_inner} and {@code activation_function},
   * when present and not null, must be what Tandem's GPT computes ({@code 4 * n_embd}, the tanh
   * GELU).
   *
   * @throws IllegalArgumentException whose message names the field
   */
  public static ModelConfig fromJson(com.fasterxml.jackson.databind.node.ObjectNode root) {
    int vocab = positiveInt(root, "vocab_size");
    int nLayer = positiveInt(root, "n_layer");
    int nHead = positiveInt(root, "n_head");
    int nEmbd = positiveInt(root, "n_embd");
    int nPositions = positiveInt(root, "n_positions");
    float eps = 0f;
    com.fasterxml.jackson.databind.JsonNode epsNode = root.get("layer_norm_epsilon");
    if (epsNode != null && !epsNode.isNull()) {
      if (!epsNode.isNumber()) {
        throw new IllegalArgumentException("layer_norm_epsilon must be a number, not " + epsNode);
      }
      eps = epsNode.floatValue();
    }
    com.fasterxml.jackson.databind.JsonNode inner = root.get("n_inner");
    if (inner != null && !inner.isNull() && !(inner.isInt() && inner.intValue() == 4 * nEmbd)) {
      throw new IllegalArgumentException(
          "n_inner " + inner + " is not supported; Tandem's MLP width is 4 * n_embd = " + 4L * nEmbd);
    }
    com.fasterxml.jackson.databind.JsonNode act = root.get("activation_function");
    if (act != null && !act.isNull()
        && !(act.isTextual() && (act.textValue().equals("gelu_new") || act.textValue().equals("gelu_pytorch_tanh")))) {
      throw new IllegalArgumentException("activation_function " + act + " is not supported; Tandem uses \"gelu_new\"");
    }
    return new ModelConfig(vocab, nLayer, nHead, nEmbd, nPositions, eps);
  }

  private static int positiveInt(com.fasterxml.jackson.databind.node.ObjectNode root, String field) {
    com.fasterxml.jackson.databind.JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing required field " + field);
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
      throw new IllegalArgumentException(field + " must be a positive integer, not " + v);
    }
    return v.intValue();
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
