package dev.tandem.api.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.GptFamily;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraAdapterTest {
  @TempDir Path dir;

  /** A Llama-style layer's linear weights, [out, in], named as transformers names them. */
  static Map<String, Shape> llamaShapes() {
    Map<String, Shape> s = new LinkedHashMap<>();
    s.put("model.embed_tokens.weight", Shape.of(100, 16));
    String a = "model.layers.0.self_attn.";
    s.put(a + "q_proj.weight", Shape.of(16, 16));
    s.put(a + "k_proj.weight", Shape.of(8, 16));
    s.put(a + "v_proj.weight", Shape.of(8, 16));
    s.put(a + "o_proj.weight", Shape.of(16, 16));
    s.put(a + "q_proj.bias", Shape.of(16));
    s.put("model.layers.0.mlp.gate_proj.weight", Shape.of(40, 16));
    s.put("model.layers.0.mlp.up_proj.weight", Shape.of(40, 16));
    s.put("model.layers.0.mlp.down_proj.weight", Shape.of(16, 40));
    s.put("model.layers.0.input_layernorm.weight", Shape.of(16));
    s.put("lm_head.weight", Shape.of(100, 16));
    return s;
  }

  static Map<String, String> modules(Map<String, Shape> shapes, java.util.function.UnaryOperator<String> f) {
    Map<String, String> m = new LinkedHashMap<>();
    shapes.keySet().forEach(k -> m.put(k, f.apply(k)));
    return m;
  }

  @Test
  void llamaTargetsFollowPeftsNamesAndShapes() {
    Map<String, Shape> s = llamaShapes();
    LoraAdapter a = LoraAdapter.of(new LoraConfig(4, 8, List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), 0, false),
        s, modules(s, k -> k.substring(0, k.lastIndexOf("."))), false, List.of());
    Map<String, Shape> shapes = a.shapes();
    assertEquals(14, shapes.size());
    assertEquals(Shape.of(4, 16), shapes.get("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"));
    assertEquals(Shape.of(8, 4), shapes.get("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight"));
    assertEquals(Shape.of(4, 40), shapes.get("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight"));
    assertEquals(Shape.of(16, 4), shapes.get("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"));
    assertEquals(Shape.of(40, 4), shapes.get("base_model.model.model.layers.0.mlp.gate_proj.lora_B.weight"));
  }

  @Test
  void allLinearSkipsTheHeadEmbeddingsNormsAndBiases() {
    Map<String, Shape> s = llamaShapes();
    LoraAdapter a = LoraAdapter.of(new LoraConfig(2, 4, List.of(LoraConfig.ALL_LINEAR), 0, false), s,
        modules(s, k -> k.substring(0, k.lastIndexOf('.'))), false, List.of());
    assertEquals(7, a.targets().size(), a.targets().keySet().toString());
    assertTrue(a.targets().keySet().stream().noneMatch(k -> k.contains("lm_head") || k.contains("embed")));
    assertEquals(List.of("down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"), a.config().targets());
  }

  @Test
  void gpt2UsesConv1dLayoutAndTheTransformerPrefix() {
    ModelConfig c = ModelConfig.of(261, 2, 2, 8, 16);
    GptFamily f = new GptFamily();
    Map<String, Shape> s = new Gpt(c).parameterShapes();
    LoraAdapter a = LoraAdapter.of(new LoraConfig(2, 4, List.of("c_attn", "c_proj", "c_fc"), 0, false), s,
        modules(s, f::moduleName), f.fanInFanOut(), f.defaultLoraTargets());
    Map<String, Shape> shapes = a.shapes();
    assertEquals(Shape.of(2, 8), shapes.get("base_model.model.transformer.h.1.attn.c_attn.lora_A.weight"));
    assertEquals(Shape.of(24, 2), shapes.get("base_model.model.transformer.h.1.attn.c_attn.lora_B.weight"));
    assertEquals(Shape.of(2, 32), shapes.get("base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight"));
    assertEquals(Shape.of(8, 2), shapes.get("base_model.model.transformer.h.0.mlp.c_proj.lora_B.weight"));
    assertEquals(16, shapes.size(), "c_attn, attn.c_proj, c_fc, mlp.c_proj in 2 layers, A and B");
    LoraAdapter d = LoraAdapter.of(new LoraConfig(2, 4, List.of(), 0, false), s, modules(s, f::moduleName), true, f.defaultLoraTargets());
    assertEquals(List.of("c_attn"), d.config().targets());
  }

  @Test
  void aTargetThatMatchesNothingIsAnError() {
    Map<String, Shape> s = llamaShapes();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.of(
        new LoraConfig(2, 4, List.of("q_proj", "qkv_proj"), 0, false), s, modules(s, k -> k.substring(0, k.lastIndexOf('.'))), false, List.of()));
    assertEquals("LoRA target(s) [qkv_proj] match no linear weight of the model", e.getMessage());
  }

  @Test
  void mergeAddsScaledBTimesAInEitherLayout() {
    Map<String, Shape> s = Map.of("m.weight", Shape.of(2, 3));
    LoraAdapter linear = LoraAdapter.of(new LoraConfig(1, 2, List.of("m"), 0, false), s, Map.of("m.weight", "m"), false, List.of());
    Map<String, HostTensor> ad = Map.of(
        "base_model.model.m.lora_A.weight", HostTensor.of(new float[] {1, 2, 3}, 1, 3),
        "base_model.model.m.lora_B.weight", HostTensor.of(new float[] {10, 20}, 2, 1));
    HostTensor w = linear.merge(Map.of("m.weight", HostTensor.zeros(2, 3)), ad).get("m.weight");
    // scale alpha/r = 2: W' = 2 * B A = [[20, 40, 60], [40, 80, 120]]
    assertEquals(List.of(20f, 40f, 60f, 40f, 80f, 120f), boxed(w.floats()));
    LoraAdapter conv = LoraAdapter.of(new LoraConfig(1, 2, List.of("m"), 0, false), Map.of("m.weight", Shape.of(3, 2)), Map.of("m.weight", "m"), true, List.of());
    HostTensor wc = conv.merge(Map.of("m.weight", HostTensor.zeros(3, 2)), ad).get("m.weight");
    assertEquals(List.of(20f, 40f, 40f, 80f, 60f, 120f), boxed(wc.floats()), "[in, out]: the transpose");
  }

  @Test
  void aHostileAdapterConfigIsRefusedNamingTheField() throws Exception {
    String good = "{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"r\": 8, \"lora_alpha\": 16, \"lora_dropout\": 0.05,"
        + " \"target_modules\": [\"q_proj\", \"v_proj\"], \"bias\": \"none\", \"use_dora\": false, \"fan_in_fan_out\": false,"
        + " \"base_model_name_or_path\": \"Qwen/Qwen3-0.6B\", \"modules_to_save\": null, \"rank_pattern\": {}, \"alpha_pattern\": {}}";
    Path f = dir.resolve(AdapterDirectory.CONFIG);
    Files.writeString(f, good);
    AdapterDirectory.Header h = AdapterDirectory.readHeader(dir);
    assertEquals(8, h.config().rank());
    assertEquals(2f, h.config().scale());
    assertEquals(0.05f, h.config().dropout());
    assertEquals("Qwen/Qwen3-0.6B", h.base());
    assertRefused(good.replace("\"LORA\"", "\"IA3\""), f + ": peft_type must be \"LORA\", not \"IA3\"");
    assertRefused(good.replace("\"r\": 8", "\"r\": 0"), f + ": r must be a positive integer, not 0");
    assertRefused(good.replace("\"use_dora\": false", "\"use_dora\": true"), f + ": use_dora true: DoRA is not supported");
    assertRefused(good.replace("\"bias\": \"none\"", "\"bias\": \"all\""), f + ": bias \"all\": only \"none\" is supported");
    assertRefused(good.replace("\"modules_to_save\": null", "\"modules_to_save\": [\"lm_head\"]"), f + ": modules_to_save [\"lm_head\"]: modules_to_save is not supported");
    assertRefused(good.replace("\"rank_pattern\": {}", "\"rank_pattern\": {\"q_proj\": 4}"), f + ": rank_pattern {\"q_proj\":4}: per-module ranks are not supported");
    assertRefused(good.replace("[\"q_proj\", \"v_proj\"]", "[]"), f + ": target_modules must be a non-empty list of module names or a pattern, not []");
    assertRefused("[1, 2]", null);
  }

  private void assertRefused(String json, String message) throws Exception {
    Files.writeString(dir.resolve(AdapterDirectory.CONFIG), json);
    var e = assertThrows(java.io.IOException.class, () -> AdapterDirectory.readHeader(dir));
    if (message != null) {
      assertEquals(message, e.getMessage());
    }
  }

  private static List<Float> boxed(float[] v) {
    List<Float> out = new java.util.ArrayList<>();
    for (float x : v) {
      out.add(x);
    }
    return out;
  }
}
