package dev.tandem.calm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.Compositions;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strategies' settings, parameters, LoRA's merge and its files in PEFT's layout, without an engine. */
class StrategiesTest {
  @TempDir Path root;

  private Path model(String name, ModelConfig c) throws Exception {
    Path p = root.resolve(name);
    if (!java.nio.file.Files.exists(p)) { // written once: a loaded model's weights are read from its files when used
      ModelDirectory.save(p, c, new ByteTokenizer(), new Gpt(c).initialWeights(1));
    }
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
    String nope = msg(() -> s.settings(bases, Map.of("targets", "attn.nope")));
    assertTrue(nope.contains("[attn.nope] match no linear weight") && nope.contains("its linear modules: attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj;"), nope);
    assertEquals(List.of("rank", "alpha", "targets"), s.options().stream().map(o -> o.name()).toList());
    ObjectNode two = s.settings(bases, Map.of("rank", "2", "targets", "attn.c_attn, mlp.c_fc"));
    assertEquals(2.0, two.get("alpha").doubleValue());
    assertEquals("[\"attn.c_attn\",\"mlp.c_fc\"]", two.get("targets").toString());
    ObjectNode settings = s.settings(bases, Map.of("rank", "3"));
    assertEquals("[\"all-linear\"]", settings.get("targets").toString(), "every projection by default, as before");
    Composition c = s.build(bases, settings);
    Map<String, HostTensor> p = c.initialParameters(1);
    long count = p.values().stream().mapToLong(t -> t.shape().size()).sum();
    assertEquals(3 * LoraStrategy.parametersPerRank(bases.get(0).directory(), LoraStrategy.DEFAULT_TARGETS), count);
    assertEquals(3 * 4 * ((64 + 192) + (64 + 64) + (64 + 256) + (256 + 64)), count, "r (in + out) per projection");
    assertEquals(32, p.size(), "A and B for 4 projections in 4 blocks");
    // PEFT's keys and shapes: A [r, in], B [out, r]
    String fc = "base_model.model.transformer.h.2.mlp.c_fc.";
    assertEquals(Shape.of(3, 64), p.get(fc + "lora_A.weight").shape());
    assertEquals(Shape.of(256, 3), p.get(fc + "lora_B.weight").shape());
    // the old target names (GPT-2's projections) select the same adapters
    ObjectNode old = s.settings(bases, Map.of("rank", "3", "targets", "attn.c_attn,attn.c_proj,mlp.c_fc,mlp.c_proj"));
    assertEquals(p.keySet(), s.build(bases, old).initialParameters(1).keySet());
    // zero B: merging changes nothing
    assertEquals(bases.get(0).directory().weights(), c.merge(p).orElseThrow());
    // merged = W + (alpha / r) B A, transposed into GPT-2's [in, out] weight
    Map<String, HostTensor> trained = withRandomB(p, 2);
    Map<String, HostTensor> merged = c.merge(trained).orElseThrow();
    float[] w = bases.get(0).directory().weights().get("h.2.mlp.c_fc.weight").floats();
    float[] a = p.get(fc + "lora_A.weight").floats();
    float[] bv = trained.get(fc + "lora_B.weight").floats();
    float[] m = merged.get("h.2.mlp.c_fc.weight").floats();
    int out = 256;
    double expected = w[5 * out + 7];
    for (int k = 0; k < 3; k++) {
      expected += bv[7 * 3 + k] * a[k * 64 + 5];
    }
    assertEquals(expected, m[5 * out + 7], 1e-5);
  }

  @Test
  void loraWritesPeftFilesAndReadsThemAndTheOldLayoutBack() throws Exception {
    LoraStrategy s = new LoraStrategy();
    List<BaseModel> bases = bases(false);
    Composition c = s.build(bases, s.settings(bases, Map.of("rank", "2", "alpha", "4")));
    Map<String, HostTensor> p = withRandomB(c.initialParameters(1), 3);
    Path dir = Files.createDirectories(root.resolve("lora"));
    c.writeParameters(dir, p);
    assertEquals(AdapterDirectory.WEIGHTS, c.parametersFile());
    AdapterDirectory.Header h = AdapterDirectory.readHeader(dir);
    assertEquals(2, h.config().rank());
    assertEquals(4f, h.config().alpha());
    assertEquals(List.of("c_attn", "c_fc", "c_proj"), h.config().targets(), "all-linear, resolved as PEFT names modules");
    assertTrue(h.fanInFanOut(), "GPT-2's Conv1D");
    assertEquals(bases.get(0).path().toString(), h.base());
    assertEquals(bases.get(0).sha256(), AdapterDirectory.baseSha256(dir));
    assertEquals(p, AdapterDirectory.readWeights(dir), "PEFT's keys as they are");
    assertEquals(p, c.readParameters(dir));
    // an adapter_config.json that says otherwise than the settings is an error naming it
    Composition r4 = s.build(bases, s.settings(bases, Map.of("rank", "4", "alpha", "4")));
    String e = assertThrows(ModelFormatException.class, () -> r4.readParameters(dir)).getMessage();
    assertTrue(e.contains(AdapterDirectory.CONFIG) && e.contains("do not match composition.json's settings (r 4"), e);
    // an older Tandem's layout: lora.h.<l>.<target>.lora_A [in, r], lora_B [r, out], in model.safetensors
    Map<String, HostTensor> legacy = new LinkedHashMap<>();
    p.forEach((k, v) -> {
      String local = k.substring("base_model.model.transformer.".length()).replace(".weight", "");
      legacy.put("lora." + local, transpose(v));
    });
    Path old = Files.createDirectories(root.resolve("old"));
    Safetensors.write(old.resolve("model.safetensors"), legacy, Map.of());
    assertEquals(p, c.readParameters(old));
    legacy.put("lora.h.9.attn.c_attn.lora_A", HostTensor.zeros(64, 2));
    Safetensors.write(old.resolve("model.safetensors"), legacy, Map.of());
    e = assertThrows(ModelFormatException.class, () -> c.readParameters(old)).getMessage();
    assertTrue(e.contains("model.safetensors") && e.contains("unexpected tensors [lora.h.9.attn.c_attn.lora_A]"), e);
  }

  private static Map<String, HostTensor> withRandomB(Map<String, HostTensor> p, long seed) {
    Random r = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>(p);
    p.forEach((k, v) -> {
      if (k.endsWith("lora_B.weight")) {
        float[] b = new float[v.shape().size()];
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) r.nextGaussian();
        }
        out.put(k, HostTensor.of(b, v.shape().dims()));
      }
    });
    return out;
  }

  private static HostTensor transpose(HostTensor t) {
    int rows = t.shape().dim(0);
    int cols = t.shape().dim(1);
    float[] a = t.floats();
    float[] o = new float[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        o[j * rows + i] = a[i * cols + j];
      }
    }
    return HostTensor.of(o, cols, rows);
  }

  private static String msg(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(IllegalArgumentException.class, e).getMessage();
  }
}
