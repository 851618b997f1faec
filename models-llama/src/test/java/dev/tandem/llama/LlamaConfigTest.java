package dev.tandem.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.tensor.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {
  static ObjectNode config(String json) throws Exception {
    return (ObjectNode) new ObjectMapper().readTree(json);
  }

  static final String BASE =
      "{\"model_type\": \"llama\", \"vocab_size\": 100, \"hidden_size\": 64, \"intermediate_size\": 96,"
          + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2}";

  @Test
  void readsTransformersDefaults() throws Exception {
    LlamaConfig c = LlamaConfig.parse(config(BASE));
    assertEquals(16, c.headDim());
    assertEquals(2048, c.context());
    assertEquals(1e-6f, c.rmsNormEps());
    assertFalse(c.tieEmbeddings());
    assertFalse(c.qkvBias());
    assertEquals(8, c.invFreq().length);
    assertEquals(1f, c.invFreq()[0]);
  }

  @Test
  void qwenFamiliesSetTheirBiasesAndNorms() throws Exception {
    LlamaConfig q2 = LlamaConfig.parse(config(BASE.replace("\"llama\"", "\"qwen2\"")));
    assertTrue(q2.qkvBias());
    assertFalse(q2.oBias());
    LlamaConfig q3 = LlamaConfig.parse(config(BASE.replace("\"llama\"", "\"qwen3\"").replace("}", ", \"head_dim\": 24}")));
    assertTrue(q3.qkNorm());
    assertEquals(24, q3.headDim());
    Map<String, Shape> shapes = new LlamaModel(q3, "").parameterShapes();
    assertEquals(Shape.of(96, 64), shapes.get("model.layers.0.self_attn.q_proj.weight"));
    assertEquals(Shape.of(48, 64), shapes.get("model.layers.0.self_attn.k_proj.weight"));
    assertEquals(Shape.of(64, 96), shapes.get("model.layers.0.self_attn.o_proj.weight"));
    assertEquals(Shape.of(24), shapes.get("model.layers.1.self_attn.k_norm.weight"));
    assertTrue(shapes.containsKey("lm_head.weight"));
  }

  @Test
  void mistralContextIsItsSlidingWindow() throws Exception {
    LlamaConfig m = LlamaConfig.parse(config(BASE.replace("\"llama\"", "\"mistral\"").replace("}", ", \"max_position_embeddings\": 32768, \"sliding_window\": 4096}")));
    assertEquals(4096, m.context());
    LlamaConfig q = LlamaConfig.parse(config(BASE.replace("\"llama\"", "\"qwen2\"").replace("}", ", \"max_position_embeddings\": 32768, \"sliding_window\": 4096}")));
    assertEquals(32768, q.context(), "qwen2 uses the window only with use_sliding_window");
  }

  @Test
  void llama3ScalingKeepsHighFrequenciesAndDividesLowOnes() throws Exception {
    LlamaConfig c = LlamaConfig.parse(config(BASE.replace("}", ", \"rope_theta\": 500000.0, \"rope_scaling\": {\"rope_type\": \"llama3\","
        + " \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64}}")));
    float[] plain = Rope.invFreq(500000.0, 16);
    assertEquals(plain[0], c.invFreq()[0], "wavelength 2*pi < 64/4: unchanged");
    assertEquals(plain[7] / 8, c.invFreq()[7], 1e-12, "the longest wavelengths are divided by the factor");
    assertTrue(c.invFreq()[1] < plain[1] && c.invFreq()[1] > plain[1] / 8, "a medium frequency is smoothed");
  }

  @Test
  void rejectsWhatItDoesNotComputeNamingTheField() throws Exception {
    assertMessage(BASE.replace("\"llama\"", "\"gemma\""), "model_type gemma is not one of [llama, mistral, qwen2, qwen3]");
    assertMessage(BASE.replace("\"hidden_size\": 64,", ""), "hidden_size is missing");
    assertMessage(BASE.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"), "num_key_value_heads (3) must divide num_attention_heads (4)");
    assertMessage(BASE.replace("\"vocab_size\": 100", "\"vocab_size\": -5"), "vocab_size must be a positive integer, not -5");
    assertMessage(BASE.replace("\"vocab_size\": 100", "\"vocab_size\": \"100\""), "vocab_size must be a positive integer, not \"100\"");
    assertMessage(BASE.replace("}", ", \"hidden_act\": \"gelu\"}"), "hidden_act gelu is not supported (only silu)");
    assertMessage(BASE.replace("}", ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}}"),
        "rope_scaling type yarn is not supported (default, linear and llama3 are)");
    assertMessage(BASE.replace("}", ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}"),
        "rope_scaling.low_freq_factor must be a positive number, not null");
    assertMessage(BASE.replace("}", ", \"partial_rotary_factor\": 0.5}"), "partial_rotary_factor 0.5 is not supported (only 1.0)");
    assertMessage(BASE.replace("}", ", \"tie_word_embeddings\": \"yes\"}"), "tie_word_embeddings must be true or false, not \"yes\"");
    assertMessage(BASE.replace("}", ", \"head_dim\": 15}"), "head_dim must be even for rotary embeddings, not 15");
  }

  @Test
  void skipsATiedHeadCopyAndRotaryBuffers() throws Exception {
    ObjectNode c = config(BASE.replace("}", ", \"tie_word_embeddings\": true}"));
    LlamaFamily f = new LlamaFamily();
    var model = f.fromConfig(c, "anchor.");
    Map<String, String> names = f.parameterNames(model, java.util.Set.of("lm_head.weight", "model.norm.weight",
        "model.layers.0.self_attn.rotary_emb.inv_freq"));
    assertEquals(Map.of("model.norm.weight", "anchor.model.norm.weight"), names);
  }

  private static void assertMessage(String json, String message) throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.parse(config(json)));
    assertEquals(message, e.getMessage());
  }
}
