package dev.tandem.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.model.ModelConfig;
import java.util.List;

/**
 * A Llama-family {@code config.json}, the fields transformers' {@code LlamaConfig}, {@code
 * MistralConfig}, {@code Qwen2Config} and {@code Qwen3Config} define, with their defaults. {@link
 * #parse} rejects what Tandem does not compute (another activation, a rope type other than {@code
 * default}, {@code linear} or {@code llama3}, partial rotary embeddings) with a message naming the
 * field.
 *
 * @param modelType {@code model_type}: llama, mistral, qwen2 or qwen3
 * @param vocabSize {@code vocab_size}
 * @param hidden {@code hidden_size}
 * @param intermediate {@code intermediate_size}, the SwiGLU width
 * @param layers {@code num_hidden_layers}
 * @param heads {@code num_attention_heads}
 * @param kvHeads {@code num_key_value_heads} (default: {@code heads}); divides {@code heads}
 * @param headDim {@code head_dim} (default {@code hidden / heads})
 * @param context the longest sequence: {@code max_position_embeddings}, or {@code sliding_window}
 *     when smaller (attention beyond the window is not computed as Mistral does)
 * @param rmsNormEps {@code rms_norm_eps} (default 1e-6)
 * @param invFreq RoPE's inverse frequencies, {@code head_dim / 2} of them, after {@code rope_scaling}
 * @param tieEmbeddings {@code tie_word_embeddings} (default false)
 * @param qkvBias biases on the q, k and v projections ({@code attention_bias}; always for qwen2)
 * @param oBias a bias on the output projection ({@code attention_bias}, llama and qwen3)
 * @param mlpBias biases in the MLP ({@code mlp_bias}, llama)
 * @param qkNorm per-head RMSNorm of queries and keys before RoPE (qwen3)
 */
public record LlamaConfig(
    String modelType,
    int vocabSize,
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int context,
    float rmsNormEps,
    float[] invFreq,
    boolean tieEmbeddings,
    boolean qkvBias,
    boolean oBias,
    boolean mlpBias,
    boolean qkNorm) {

  /** The {@code model_type} values read. */
  public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2", "qwen3");

  /** The fields read, for listings and docs. */
  public static final List<String> FIELDS =
      List.of(
          "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
          "num_attention_heads", "num_key_value_heads", "head_dim", "max_position_embeddings",
          "sliding_window", "rms_norm_eps", "rope_theta", "rope_scaling", "partial_rotary_factor",
          "tie_word_embeddings", "attention_bias", "mlp_bias", "hidden_act");

  /**
   * Reads a config.
   *
   * @throws IllegalArgumentException whose message starts with the field at fault
   */
  public static LlamaConfig parse(ObjectNode c) {
    String type = text(c, "model_type", null);
    if (!MODEL_TYPES.contains(type)) {
      throw new IllegalArgumentException("model_type " + type + " is not one of " + MODEL_TYPES);
    }
    int vocab = positive(c, "vocab_size", null);
    int hidden = positive(c, "hidden_size", null);
    int intermediate = positive(c, "intermediate_size", null);
    int layers = positive(c, "num_hidden_layers", null);
    int heads = positive(c, "num_attention_heads", null);
    int kv = positive(c, "num_key_value_heads", heads);
    if (heads % kv != 0) {
      throw new IllegalArgumentException(
          "num_key_value_heads (" + kv + ") must divide num_attention_heads (" + heads + ")");
    }
    if (hidden % heads != 0 && !present(c, "head_dim")) {
      throw new IllegalArgumentException(
          "hidden_size (" + hidden + ") is not divisible by num_attention_heads (" + heads + ") and head_dim is absent");
    }
    int headDim = positive(c, "head_dim", hidden / Math.max(1, heads));
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be even for rotary embeddings, not " + headDim);
    }
    int context = positive(c, "max_position_embeddings", type.startsWith("qwen") ? 32768 : 2048);
    boolean slidingUsed = !type.startsWith("qwen") || bool(c, "use_sliding_window", false);
    if (slidingUsed && present(c, "sliding_window")) {
      context = Math.min(context, positive(c, "sliding_window", null));
    }
    String act = text(c, "hidden_act", "silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException("hidden_act " + act + " is not supported (only silu)");
    }
    if (present(c, "partial_rotary_factor") && c.get("partial_rotary_factor").asDouble() != 1.0) {
      throw new IllegalArgumentException("partial_rotary_factor " + c.get("partial_rotary_factor") + " is not supported (only 1.0)");
    }
    float eps = (float) number(c, "rms_norm_eps", 1e-6);
    if (!(eps > 0) || eps > 0.1) {
      throw new IllegalArgumentException("rms_norm_eps must be in (0, 0.1], not " + eps);
    }
    double theta = number(c, "rope_theta", 10000.0);
    if (!(theta > 1)) {
      throw new IllegalArgumentException("rope_theta must be > 1, not " + theta);
    }
    float[] invFreq = Rope.scaled(Rope.invFreq(theta, headDim), c.get("rope_scaling"));
    boolean attentionBias = bool(c, "attention_bias", false);
    boolean qwen2 = type.equals("qwen2");
    return new LlamaConfig(
        type, vocab, hidden, intermediate, layers, heads, kv, headDim, context, eps, invFreq,
        bool(c, "tie_word_embeddings", false),
        qwen2 || attentionBias,
        !qwen2 && attentionBias,
        bool(c, "mlp_bias", false),
        type.equals("qwen3"));
  }

  /**
   * The neutral shape the rest of Tandem reads: vocabulary, layers, heads, width, context and the
   * norm epsilon. Its {@code headDim()} is {@code hidden / heads}, which may differ from {@link
   * #headDim} (qwen3): code outside the family uses it only for attention of its own (CALM).
   */
  public ModelConfig shape() {
    return new ModelConfig(vocabSize, layers, heads, hidden, context, rmsNormEps);
  }

  private static boolean present(ObjectNode c, String field) {
    return c.hasNonNull(field);
  }

  private static String text(ObjectNode c, String field, String dflt) {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) {
      if (dflt == null) {
        throw new IllegalArgumentException(field + " is missing");
      }
      return dflt;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string, not " + v);
    }
    return v.textValue();
  }

  private static int positive(ObjectNode c, String field, Integer dflt) {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) {
      if (dflt == null) {
        throw new IllegalArgumentException(field + " is missing");
      }
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
      throw new IllegalArgumentException(field + " must be a positive integer, not " + v);
    }
    return v.intValue();
  }

  private static double number(ObjectNode c, String field, double dflt) {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(field + " must be a number, not " + v);
    }
    return v.doubleValue();
  }

  private static boolean bool(ObjectNode c, String field, boolean dflt) {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(field + " must be true or false, not " + v);
    }
    return v.booleanValue();
  }
}
