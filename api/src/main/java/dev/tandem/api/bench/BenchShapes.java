package dev.tandem.api.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The named model shapes {@code tandem bench --shape} builds at random: {@code tiny} (the reference GPT,
 * 4 layers, 4 heads, d_model 128, context 64, byte vocabulary), {@code smollm2-135m} and {@code
 * qwen3-0.6b} (their Hugging Face {@code config.json} fields). Each is a {@code config.json} read by
 * the family of its {@code model_type}, so that no model module is referenced here.
 */
public final class BenchShapes {
  /** The shape names, in listing order. */
  public static final List<String> NAMES = List.of("tiny", "smollm2-135m", "qwen3-0.6b");

  private BenchShapes() {}

  /**
   * The {@code config.json} of shape {@code name}.
   *
   * @param layers the number of layers to keep, or 0 for the shape's full depth
   * @param tinyVocab the vocabulary of the tiny shape (the default tokenizer's)
   * @throws IllegalArgumentException for an unknown name
   */
  public static ObjectNode config(String name, int layers, int tinyVocab) {
    ObjectNode c = new ObjectMapper().createObjectNode();
    switch (name) {
      case "tiny" -> {
        c.put("model_type", "gpt2").put("vocab_size", tinyVocab).put("n_layer", 4).put("n_head", 4)
            .put("n_embd", 128).put("n_positions", 64);
        if (layers > 0) {
          c.put("n_layer", layers);
        }
        return c;
      }
      case "smollm2-135m" -> c.put("model_type", "llama").put("num_hidden_layers", 30).put("hidden_size", 576)
          .put("num_attention_heads", 9).put("num_key_value_heads", 3).put("intermediate_size", 1536)
          .put("vocab_size", 49152).put("tie_word_embeddings", true).put("rope_theta", 100000.0)
          .put("rms_norm_eps", 1e-5).put("max_position_embeddings", 8192);
      case "qwen3-0.6b" -> c.put("model_type", "qwen3").put("num_hidden_layers", 28).put("hidden_size", 1024)
          .put("num_attention_heads", 16).put("num_key_value_heads", 8).put("head_dim", 128)
          .put("intermediate_size", 3072).put("vocab_size", 151936).put("tie_word_embeddings", true)
          .put("rope_theta", 1000000.0).put("rms_norm_eps", 1e-6).put("max_position_embeddings", 40960);
      default -> throw new IllegalArgumentException("unknown shape " + name + " (one of " + NAMES + ")");
    }
    if (layers > 0) {
      c.put("num_hidden_layers", layers);
    }
    return c;
  }

  /** Layers of a shape's config, whichever family's field holds them. */
  public static int layers(ObjectNode config) {
    return config.has("n_layer") ? config.get("n_layer").asInt() : config.get("num_hidden_layers").asInt();
  }
}
