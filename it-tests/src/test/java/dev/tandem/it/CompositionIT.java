package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.ComposedModel;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.compose.Compositions;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CALM and LoRA compositions on every engine: they start as the anchor, only their own parameters
 * train, generation with their KV caches equals recomputation, and composed directories round-trip
 * and refuse changed or incompatible bases.
 */
class CompositionIT {
  private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

  @TempDir Path dir;

  /** Anchor 3 layers d 64; augmenting models of other widths and depths (d_A != d_B). */
  private List<BaseModel> bases(boolean withAugments) throws Exception {
    Path anchor = base("anchor", ModelConfig.of(261, 3, 4, 64, 64), 1);
    if (!withAugments) {
      return Compositions.loadBases(anchor, List.of());
    }
    Path a0 = base("aug0", ModelConfig.of(261, 2, 2, 48, 64), 2);
    Path a1 = base("aug1", ModelConfig.of(261, 4, 4, 32, 80), 3);
    return Compositions.loadBases(anchor, List.of(a0, a1));
  }

  private Path base(String name, ModelConfig config, long seed) throws Exception {
    Path p = dir.resolve(name);
    if (!Files.exists(p)) {
      ModelDirectory.save(p, config, TOKENIZER, scaled(new Gpt(config).initialWeights(seed), 3f));
    }
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void freshCompositionsComputeExactlyTheAnchor(String engineName) throws Exception {
    Tandem tandem = Tandem.create();
    try (Engine engine = AllEngines.create(engineName)) {
      List<BaseModel> withAug = bases(true);
      LoadedModel anchor = tandem.loadModel(engine, withAug.get(0).path(), false);
      float[] expected = logits(engine, anchor.model(), anchor.params());
      LoadedModel calm = Compositions.create(engine, tandem.composition("calm"), withAug, Map.of("connections", "0:0,1:2"), 7);
      assertClose(expected, logits(engine, calm.model(), calm.params()), 1e-6f, "calm at init");
      LoadedModel lora = Compositions.create(engine, tandem.composition("lora"), bases(false), Map.of("rank", "4"), 7);
      assertClose(expected, logits(engine, lora.model(), lora.params()), 1e-6f, "lora at init");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void onlyCompositionParametersTrainAndGradientsPassFrozenLayers(String engineName) throws Exception {
    Tandem tandem = Tandem.create();
    try (Engine engine = AllEngines.create(engineName)) {
      // the only connection sits below the anchor's last two blocks: it learns only if gradients
      // flow through those frozen blocks
      LoadedModel calm = Compositions.create(engine, tandem.composition("calm"), bases(true), Map.of("connect_every", "1"), 7);
      ComposedModel c = calm.composition().orElseThrow();
      assertEquals(c.parameters(), calm.params().trainable());
      assertTrue(c.parameters().stream().allMatch(n -> n.startsWith("calm.")), c.parameters().toString());
      Map<String, HostTensor> before = calm.params().readAll();
      SftObjective sft = new SftObjective();
      LossFunction loss = (ops, p, in) -> sft.loss(ops, calm.model(), p, in);
      List<HostTensor> batch = batch(8, 24, 11);
      float first;
      float last;
      try (TrainStep step = engine.trainStep(calm.params(), loss, AdamW.defaults(), new TrainStepOptions(1f))) {
        first = step.run(batch, 3e-3f).loss();
        for (int i = 0; i < 15; i++) {
          step.run(batch, 3e-3f);
        }
        last = step.evaluate(batch).loss();
      }
      assertTrue(last < first - 0.05, "the composition learns: " + first + " -> " + last);
      Map<String, HostTensor> after = calm.params().readAll();
      int changed = 0;
      for (String n : calm.params().names()) {
        if (c.parameters().contains(n)) {
          changed += before.get(n).equals(after.get(n)) ? 0 : 1;
        } else {
          assertEquals(before.get(n), after.get(n), "frozen " + n + " must stay bit-identical");
        }
      }
      // every connection parameter moves, the lowest connection's too (through frozen blocks)
      assertEquals(c.parameters().size(), changed, "composition parameters updated");
    }
  }

  /**
   * Greedy generation with the compositions' KV caches (each model's own, and CALM's projected
   * keys and values per connection) picks exactly the tokens that recomputing the whole sequence
   * picks. The recomputation is one forward pass per batch over the final sequences: by causality
   * its logits at each position are what naive greedy decoding computes at that step, without a
   * trace per length on tracing engines.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void cachedGreedyEqualsNaiveGreedyForCompositions(String engineName) throws Exception {
    Tandem tandem = Tandem.create();
    List<int[]> prompts = List.of(prompt(3, 1), prompt(17, 2), prompt(9, 3), prompt(30, 4), prompt(1, 5));
    int maxNew = 24;
    try (Engine engine = AllEngines.create(engineName)) {
      LoadedModel calm = Compositions.create(engine, tandem.composition("calm"), bases(true), Map.of("connections", "0:0,1:2,0/1:1"), 7);
      LoadedModel lora = Compositions.create(engine, tandem.composition("lora"), bases(false), Map.of("rank", "4"), 7);
      // the paper's connection (no LayerNorms, no recency bias), with 2 cross-attention heads
      LoadedModel paper = Compositions.create(engine, tandem.composition("calm"), bases(true),
          Map.of("connections", "0:0,1:2,0/1:1", "layer_norms", "false", "recency", "false", "cross_heads", "2"), 7);
      LoadedModel anchor = tandem.loadModel(engine, dir.resolve("anchor"), false);
      for (LoadedModel m : List.of(calm, lora, paper)) {
        String what = m.composition().orElseThrow().strategy() + (m == paper ? " (paper)" : "");
        randomise(m, 2f);
        List<int[]> cached;
        try (Generator g = new Generator(engine, m.model(), m.params(), 256, 257)) {
          cached = g.generate(prompts, SamplingConfig.greedy(maxNew), prompts.size());
        }
        int[][] naive = recomputedGreedy(engine, m, prompts, cached, maxNew);
        int total = 0;
        for (int i = 0; i < prompts.size(); i++) {
          assertArrayEquals(naive[i], cached.get(i), what + " prompt " + i);
          total += cached.get(i).length;
        }
        assertTrue(total > 30, "real tokens compared: " + total);
        // the composition is no longer the anchor
        assertFalse(java.util.Arrays.equals(logits(engine, anchor.model(), anchor.params()), logits(engine, m.model(), m.params())), what);
      }
    }
  }

  /**
   * The greedy choices of a full recomputation along each generated sequence: for every step, the
   * argmax of the forward pass's logits at the last position before it (the end-of-sequence token
   * when the row stopped early); it equals {@code generated} exactly when caching changes nothing.
   */
  private static int[][] recomputedGreedy(Engine engine, LoadedModel m, List<int[]> prompts, List<int[]> generated, int maxNew) {
    int b = prompts.size();
    int t = 0;
    int[] lengths = new int[b];
    for (int r = 0; r < b; r++) {
      lengths[r] = prompts.get(r).length + generated.get(r).length;
      t = Math.max(t, lengths[r]);
    }
    int[] ids = new int[b * t];
    int[] pos = new int[b * t];
    boolean[][] pad = new boolean[b][t];
    for (int r = 0; r < b; r++) {
      int[] seq = new int[lengths[r]];
      System.arraycopy(prompts.get(r), 0, seq, 0, prompts.get(r).length);
      System.arraycopy(generated.get(r), 0, seq, prompts.get(r).length, generated.get(r).length);
      int off = t - lengths[r];
      for (int j = 0; j < t; j++) {
        pad[r][j] = j < off;
        ids[r * t + j] = j < off ? 257 : seq[j - off];
        pos[r * t + j] = Math.max(0, j - off);
      }
    }
    CausalLM model = m.model();
    float[] logits;
    try (CompiledFunction f = engine.compile(m.params(), (ops, p, in) -> List.of(model.forward(ops, p, in.get(0), in.get(1), in.get(2))));
        Tensor x = engine.upload(HostTensor.ofInts(ids, b, t));
        Tensor y = engine.upload(HostTensor.ofInts(pos, b, t));
        Tensor z = engine.upload(dev.tandem.api.model.Masks.causalWithPadding(pad))) {
      List<Tensor> out = f.call(List.of(x, y, z));
      try {
        logits = engine.download(out.get(0)).floats();
      } finally {
        out.forEach(Tensor::close);
      }
    }
    int v = model.config().vocabSize();
    int[][] choices = new int[b][];
    for (int r = 0; r < b; r++) {
      int n = generated.get(r).length;
      int off = t - lengths[r];
      int first = off + prompts.get(r).length - 1;
      List<Integer> picks = new ArrayList<>();
      for (int i = 0; i <= n && picks.size() < maxNew; i++) {
        int pick = dev.tandem.api.generate.Sampler.argmax(logits, (r * t + first + i) * v, v);
        if (i == n) {
          // the row stopped before maxNew: recomputation must choose the end of the sequence here
          assertEquals(256, pick, "row " + r + " stopped early, so the next greedy token is end-of-sequence");
          break;
        }
        picks.add(pick);
      }
      choices[r] = picks.stream().mapToInt(Integer::intValue).toArray();
    }
    return choices;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void composedDirectoriesRoundTripAndLoraMerges(String engineName) throws Exception {
    Tandem tandem = Tandem.create();
    try (Engine engine = AllEngines.create(engineName)) {
      for (String strategy : List.of("calm", "lora")) {
        CompositionStrategy s = tandem.composition(strategy);
        LoadedModel m = Compositions.create(engine, s, bases(strategy.equals("calm")), Map.of(), 3);
        randomise(m, 1f);
        Path out = dir.resolve("composed-" + strategy);
        ComposedModel c = m.composition().orElseThrow();
        Compositions.save(out, c, m.params().readAll());
        // the new parameters only; LoRA's in PEFT's adapter files
        String file = strategy.equals("lora") ? dev.tandem.api.adapter.AdapterDirectory.WEIGHTS : "model.safetensors";
        assertEquals(c.parameters(), Set.copyOf(dev.tandem.api.io.Safetensors.read(out.resolve(file)).keySet()),
            "a composed directory stores the new parameters only");
        assertEquals(strategy.equals("calm"), Files.exists(out.resolve("model.safetensors")), strategy);
        float[] expected = logits(engine, m.model(), m.params());
        LoadedModel back = tandem.loadModel(engine, out, false);
        assertEquals(Set.of(), back.params().trainable());
        assertClose(expected, logits(engine, back.model(), back.params()), 0f, strategy + " reloaded");
        // without the facade: strategies found through ServiceLoader
        LoadedModel direct = LoadedModel.load(engine, out, false);
        assertClose(expected, logits(engine, direct.model(), direct.params()), 0f, strategy + " reloaded directly");
        if (strategy.equals("lora")) {
          Path merged = dir.resolve("merged");
          ModelDirectory.save(merged, c.anchor().config(), TOKENIZER, c.merge(m.params().readAll()).orElseThrow());
          LoadedModel plain = tandem.loadModel(engine, merged, false);
          assertTrue(plain.composition().isEmpty());
          assertTrue(plain.model() instanceof Gpt, "merged LoRA is a plain GPT");
          assertClose(expected, logits(engine, plain.model(), plain.params()), 2e-4f, "merged LoRA");
        }
      }
      // a changed base is a clear error, not different weights
      Path anchor = dir.resolve("anchor");
      ModelDirectory md = ModelDirectory.load(anchor);
      ModelDirectory.save(anchor, md.config(), md.tokenizer(), scaled(md.weights(), 1.001f));
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> tandem.loadModel(engine, dir.resolve("composed-calm"), false));
      assertTrue(e.getMessage().contains("has changed since the composition was made"), e.getMessage());
      assertTrue(e.getMessage().contains(anchor.toAbsolutePath().normalize().toString()), e.getMessage());
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Logits of a fixed ragged batch (left padding, positions, padding mask). */
  private static float[] logits(Engine engine, CausalLM model, Parameters params) {
    int b = 3;
    int t = 12;
    int[] ids = new int[b * t];
    int[] pos = new int[b * t];
    boolean[][] pad = new boolean[b][t];
    Random r = new Random(9);
    int[] lengths = {12, 7, 3};
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        int k = j - (t - lengths[i]);
        pad[i][j] = k < 0;
        ids[i * t + j] = k < 0 ? 257 : 97 + r.nextInt(26);
        pos[i * t + j] = Math.max(0, k);
      }
    }
    try (CompiledFunction f = engine.compile(params, (ops, p, in) -> List.of(model.forward(ops, p, in.get(0), in.get(1), in.get(2))));
        Tensor x = engine.upload(HostTensor.ofInts(ids, b, t));
        Tensor y = engine.upload(HostTensor.ofInts(pos, b, t));
        Tensor z = engine.upload(dev.tandem.api.model.Masks.causalWithPadding(pad))) {
      List<Tensor> out = f.call(List.of(x, y, z));
      try {
        float[] all = engine.download(out.get(0)).floats();
        // padding positions compute garbage that no one reads: compare the real ones
        List<Float> real = new ArrayList<>();
        int v = model.config().vocabSize();
        for (int i = 0; i < b; i++) {
          for (int j = t - lengths[i]; j < t; j++) {
            for (int k = 0; k < v; k++) {
              real.add(all[(i * t + j) * v + k]);
            }
          }
        }
        float[] o = new float[real.size()];
        for (int i = 0; i < o.length; i++) {
          o[i] = real.get(i);
        }
        return o;
      } finally {
        out.forEach(Tensor::close);
      }
    }
  }

  private static void assertClose(float[] expected, float[] actual, float tol, String what) {
    assertEquals(expected.length, actual.length, what);
    float worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= tol, what + ": max |difference| " + worst + " > " + tol);
  }

  /**
   * Random values for the new parameters (as if trained), so that they change the function:
   * matrices and biases around zero, LayerNorm gains and recency slopes around their initial values.
   */
  private static void randomise(LoadedModel m, float std) {
    Random r = new Random(5);
    for (String n : m.composition().orElseThrow().parameters()) {
      HostTensor h = m.params().read(n);
      float[] v = h.floats().clone();
      boolean around = n.contains(".ln_") && n.endsWith(".weight") || n.endsWith("recency");
      for (int i = 0; i < v.length; i++) {
        double noise = r.nextGaussian() * std / Math.sqrt(Math.max(1, h.shape().dim(0)));
        v[i] = (float) (around ? v[i] * (1 + 0.1 * noise) : noise);
      }
      m.params().write(n, HostTensor.of(v, h.shape().dims()));
    }
  }

  private static Map<String, HostTensor> scaled(Map<String, HostTensor> w, float s) {
    Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
    w.forEach((k, v) -> {
      float[] f = v.floats().clone();
      if (!k.contains("ln_")) {
        for (int i = 0; i < f.length; i++) {
          f[i] *= s;
        }
      }
      out.put(k, HostTensor.of(f, v.shape().dims()));
    });
    return out;
  }

  private static List<HostTensor> batch(int b, int t, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[b * t];
    int[] tgt = new int[b * t];
    float[] mask = new float[b * t];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 97 + r.nextInt(26);
      tgt[i] = 97 + r.nextInt(4);
      mask[i] = 1f;
    }
    return List.of(HostTensor.ofInts(ids, b, t), HostTensor.ofInts(tgt, b, t), HostTensor.of(mask, b, t));
  }

  private static int[] prompt(int n, long seed) {
    Random r = new Random(seed);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = 97 + r.nextInt(26);
    }
    return p;
  }
}
