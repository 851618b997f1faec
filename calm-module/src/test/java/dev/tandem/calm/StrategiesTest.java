package dev.tandem.calm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.Compositions;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strategies' settings, parameters and LoRA's merge, without an engine. */
class StrategiesTest {
  @TempDir Path root;

  private Path model(String name, ModelConfig c) throws Exception {
    Path p = root.resolve(name);
    ModelDirectory.save(p, c, new ByteTokenizer(), new Gpt(c).initialWeights(1));
    return p;
  }

  private List<BaseModel> bases(boolean augment) throws Exception {
    Path b = model("b", ModelConfig.of(261, 4, 4, 64, 32));
    return Compositions.loadBases(b, augment ? List.of(model("a", ModelConfig.of(261, 2, 2, 32, 24))) : List.of());
  }

  @Test
  void bothStrategiesAreRegisteredOnceThroughServiceLoader() {
    // the one registration path: provides in module-info, nothing through a TandemPlugin
    java.lang.module.ModuleDescriptor d = CalmStrategy.class.getModule().getDescriptor();
    if (d != null) { // a named module (the tests run on the module path)
      Map<String, List<String>> provides = d.provides().stream()
          .collect(java.util.stream.Collectors.toMap(p -> p.service(), p -> p.providers()));
      assertEquals(List.of(CalmStrategy.class.getName(), LoraStrategy.class.getName()), provides.get(CompositionStrategy.class.getName()));
      assertTrue(!provides.containsKey("dev.tandem.api.inject.TandemPlugin"), "no second registration path: " + provides);
    }
    Tandem tandem = Tandem.create();
    assertEquals(List.of("calm", "lora"), tandem.compositions().keySet().stream().sorted().toList());
    assertTrue(tandem.composition("calm") instanceof CalmStrategy);
    assertTrue(tandem.composition("lora") instanceof LoraStrategy);
    // without discovery, an embedder registers them on the builder
    Tandem explicit = Tandem.builder().discover(false).composition(new LoraStrategy()).build();
    assertEquals(List.of("lora"), List.copyOf(explicit.compositions().keySet()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tandem.create().composition("nope"));
    assertTrue(e.getMessage().contains("calm, lora"), e.getMessage());
  }

  @Test
  void calmSettingsAndParameters() throws Exception {
    CalmStrategy s = new CalmStrategy();
    List<BaseModel> bases = bases(true);
    // the default: every 4th layer, as in the paper
    assertEquals("{\"connections\":[{\"augment\":0,\"augment_layer\":1,\"anchor_layer\":3}],\"layer_norms\":true,\"recency\":true,\"cross_heads\":0}", s.settings(bases, Map.of()).toString());
    ObjectNode settings = s.settings(bases, Map.of("connect_every", "2"));
    assertEquals("{\"connections\":[{\"augment\":0,\"augment_layer\":0,\"anchor_layer\":1},{\"augment\":0,\"augment_layer\":1,\"anchor_layer\":3}],\"layer_norms\":true,\"recency\":true,\"cross_heads\":0}", settings.toString());
    Composition c = s.build(bases, settings);
    assertEquals(24, c.model().config().nPositions(), "the shortest context");
    assertEquals(64, c.model().config().nEmbd());
    Map<String, HostTensor> p = c.initialParameters(3);
    assertEquals(p, c.initialParameters(3), "deterministic");
    assertTrue(p.keySet().stream().allMatch(n -> n.startsWith("calm.0.") || n.startsWith("calm.1.") || n.equals(CalmModel.RECENCY)), p.keySet().toString());
    assertEquals(1 + 2 * 9, p.size(), "the shared recency slopes and 9 tensors per connection");
    assertEquals(List.of(32, 64), List.of(p.get("calm.0.proj.weight").shape().dim(0), p.get("calm.0.proj.weight").shape().dim(1)));
    assertEquals(List.of(64), List.of(p.get("calm.0.proj.bias").shape().dim(0)));
    assertEquals(List.of(64, 128), List.of(p.get("calm.0.kv.weight").shape().dim(0), p.get("calm.0.kv.weight").shape().dim(1)));
    for (float v : p.get("calm.1.out.weight").floats()) {
      assertEquals(0f, v, "the output projection starts at zero");
    }
    assertTrue(!c.mergeable() && c.merge(p).isEmpty());
    assertEquals(2, ((CalmModel) c.model()).connections().size());
  }

  @Test
  void calmSwitchesGiveThePapersConnectionAndOldSettingsLoadAsBefore() throws Exception {
    CalmStrategy s = new CalmStrategy();
    List<BaseModel> bases = bases(true);
    ObjectNode paper = s.settings(bases, Map.of("layer_norms", "false", "recency", "false", "cross_heads", "2"));
    CalmModel m = (CalmModel) s.build(bases, paper).model();
    assertEquals(new CalmModel.Options(false, false, 2), m.options());
    Map<String, HostTensor> p = s.build(bases, paper).initialParameters(3);
    assertEquals(List.of("calm.0.proj.weight", "calm.0.proj.bias", "calm.0.q.weight", "calm.0.kv.weight", "calm.0.out.weight"), List.copyOf(p.keySet()));
    // a composition saved before the switches existed: no such keys, the old connection
    ObjectNode old = s.settings(bases, Map.of());
    old.remove(List.of("layer_norms", "recency", "cross_heads"));
    assertEquals(CalmModel.Options.DEFAULT, ((CalmModel) s.build(bases, old).model()).options());
    assertEquals(1 + 9, s.build(bases, old).initialParameters(1).size());
    assertTrue(msg(() -> s.settings(bases, Map.of("cross_heads", "3"))).contains("do not divide"));
  }

  @Test
  void calmRejectsBadOptionsClearly() throws Exception {
    CalmStrategy s = new CalmStrategy();
    List<BaseModel> bases = bases(true);
    assertTrue(msg(() -> s.settings(bases.subList(0, 1), Map.of())).contains("--augment"));
    assertTrue(msg(() -> s.settings(bases, Map.of("rank", "4"))).contains("rank"));
    assertTrue(msg(() -> s.settings(bases, Map.of("connect_every", "2", "connections", "1:1"))).contains("not both"));
    assertTrue(msg(() -> s.settings(bases, Map.of("connections", "2:1"))).contains("augmenting model 0 has layers 0..1"));
    assertTrue(msg(() -> s.settings(bases, Map.of("connections", "1:4"))).contains("the anchor has layers 0..3"));
    assertTrue(msg(() -> s.settings(bases, Map.of("connections", "1/0:0"))).contains("there are 1"));
    assertTrue(msg(() -> s.settings(bases, Map.of("connect_every", "two"))).contains("connect_every: 'two' is not an int"));
    assertTrue(msg(() -> s.settings(bases, Map.of("rank", "4"))).contains("its options: connect_every, connections"));
  }

  @Test
  void loraSettingsBudgetAndMerge() throws Exception {
    LoraStrategy s = new LoraStrategy();
    List<BaseModel> bases = bases(false);
    assertTrue(msg(() -> s.settings(bases(true), Map.of())).contains("no --augment"));
    assertTrue(msg(() -> s.settings(bases, Map.of("rank", "0"))).contains(">= 1"));
    assertTrue(msg(() -> s.settings(bases, Map.of("connect_every", "2"))).contains("its options: rank, alpha, targets"));
    assertTrue(msg(() -> s.settings(bases, Map.of("targets", "attn.nope"))).contains("unknown LoRA target 'attn.nope'"));
    assertEquals(List.of("rank", "alpha", "targets"), s.options().stream().map(o -> o.name()).toList());
    ObjectNode two = s.settings(bases, Map.of("rank", "2", "targets", "attn.c_attn, mlp.c_fc"));
    assertEquals(2.0, two.get("alpha").doubleValue());
    assertEquals("[\"attn.c_attn\",\"mlp.c_fc\"]", two.get("targets").toString());
    ObjectNode settings = s.settings(bases, Map.of("rank", "3"));
    Composition c = s.build(bases, settings);
    Map<String, HostTensor> p = c.initialParameters(1);
    long count = p.values().stream().mapToLong(t -> t.shape().size()).sum();
    assertEquals(3 * LoraModel.parametersPerRank(bases.get(0).config(), LoraModel.DEFAULT_TARGETS), count);
    assertEquals(32, p.size(), "A and B for 4 projections in 4 blocks");
    // zero B: merging changes nothing
    assertEquals(bases.get(0).directory().weights(), c.merge(p).orElseThrow());
    // merged = W + (alpha / r) A B
    Random r = new Random(2);
    Map<String, HostTensor> trained = new java.util.LinkedHashMap<>(p);
    HostTensor b = p.get("lora.h.2.mlp.c_fc.lora_B");
    float[] bv = new float[b.shape().size()];
    for (int i = 0; i < bv.length; i++) {
      bv[i] = (float) r.nextGaussian();
    }
    trained.put("lora.h.2.mlp.c_fc.lora_B", HostTensor.of(bv, b.shape().dims()));
    Map<String, HostTensor> merged = c.merge(trained).orElseThrow();
    float[] w = bases.get(0).directory().weights().get("h.2.mlp.c_fc.weight").floats();
    float[] a = p.get("lora.h.2.mlp.c_fc.lora_A").floats();
    float[] m = merged.get("h.2.mlp.c_fc.weight").floats();
    int out = 256;
    double expected = w[5 * out + 7];
    for (int k = 0; k < 3; k++) {
      expected += a[5 * 3 + k] * bv[k * out + 7];
    }
    assertEquals(expected, m[5 * out + 7], 1e-5);
    assertEquals(bases.get(0).directory().weights().get("h.1.mlp.c_fc.weight"), merged.get("h.1.mlp.c_fc.weight"));
  }

  private static String msg(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(IllegalArgumentException.class, e).getMessage();
  }
}
