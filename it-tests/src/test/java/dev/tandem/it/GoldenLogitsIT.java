package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.io.ModelCheckpoint;
import dev.tandem.api.io.ModelFormats;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Masks;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model family against golden logits from an independent reference: a transcription of
 * transformers' forward passes in PyTorch ({@code models-llama/src/test/python/make_golden.py}, run
 * under Debian's torch; provenance in {@code golden-models/README.md}) on tiny random checkpoints
 * with GQA, tied and untied heads, llama3 rope scaling, biases, qk-norm, {@code head_dim != hidden /
 * heads}, sharded F16 and BF16 weights, and a GPT-2 with the Hub's {@code transformer.} prefix and
 * buffers. Each case is read through the real loading path ({@link ModelCheckpoint}) on every engine;
 * the prefill and every cached decode step must match within 1e-4.
 */
class GoldenLogitsIT {
  static final Path ROOT = Path.of("src/test/resources/golden-models");
  static final float TOLERANCE = 1e-4f;

  static Stream<Arguments> cases() throws Exception {
    List<String> names;
    try (Stream<Path> dirs = Files.list(ROOT)) {
      names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertTrue(names.size() >= 6, "golden cases: " + names);
    return AllEngines.names().flatMap(e -> names.stream().map(n -> Arguments.of(e, n)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void prefillAndCachedDecodeMatchTheReference(String engineName, String caseName) throws Exception {
    Path dir = ROOT.resolve(caseName);
    ModelCheckpoint ckpt = ModelCheckpoint.read(dir, ModelFormats.discovered());
    Map<String, HostTensor> golden = Safetensors.read(dir.resolve("golden.safetensors"));
    HostTensor ids = golden.get("input_ids");
    HostTensor expected = golden.get("logits");
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    int v = expected.shape().dim(2);
    CausalLM model = ckpt.model();
    try (Engine engine = AllEngines.create(engineName)) {
      Parameters p = engine.createParameters(ckpt.weights(), Set.of());
      try (CompiledFunction f = engine.compile(p, (ops, params, in) -> List.of(model.forward(ops, params, in.get(0), null, null)));
          Tensor idsT = engine.upload(ids)) {
        List<Tensor> out = f.call(List.of(idsT));
        HostTensor logits = engine.download(out.get(0));
        out.forEach(Tensor::close);
        assertClose(expected.floats(), logits.floats(), 0, b * t * v, engineName + " " + caseName + " prefill");
      }
      // prefill the first half, then decode the rest one token at a time through the cache
      int t0 = t / 2;
      int slots = t;
      int[] first = new int[b * t0];
      for (int r = 0; r < b; r++) {
        System.arraycopy(ids.ints(), r * t, first, r * t0, t0);
      }
      try (CompiledFunction prefill =
              engine.compile(p, (ops, params, in) -> {
                CausalLM.DecodeStep s = model.prefill(ops, params, in.get(0), in.get(1), in.get(2), slots);
                List<Tensor> o = new ArrayList<>();
                o.add(s.logits());
                o.addAll(s.cache());
                return o;
              });
          CompiledFunction decode =
              engine.compile(p, (ops, params, in) -> {
                CausalLM.DecodeStep s = model.decode(ops, params, in.get(0), in.get(1), in.subList(3, in.size()), in.get(2));
                List<Tensor> o = new ArrayList<>();
                o.add(s.logits());
                o.addAll(s.cache());
                return o;
              })) {
        List<Tensor> state;
        try (Tensor a = engine.upload(HostTensor.ofInts(first, b, t0));
            Tensor pos = engine.upload(positions(b, 0, t0));
            Tensor bias = engine.upload(Masks.causalWithPadding(new boolean[b][t0]))) {
          state = prefill.call(List.of(a, pos, bias));
        }
        HostTensor pl = engine.download(state.get(0));
        for (int r = 0; r < b; r++) {
          assertClose(expected.floats(), pl.floats(), (r * t) * v, t0 * v, r * t0 * v, caseName + " cached prefill row " + r);
        }
        for (int step = t0; step < t; step++) {
          int[] next = new int[b];
          for (int r = 0; r < b; r++) {
            next[r] = ids.ints()[r * t + step];
          }
          float[] bias = new float[b * slots];
          for (int r = 0; r < b; r++) {
            for (int s = 0; s < slots; s++) {
              bias[r * slots + s] = s >= slots - (step + 1) ? 0f : Masks.BLOCKED;
            }
          }
          List<Tensor> in = new ArrayList<>();
          in.add(engine.upload(HostTensor.ofInts(next, b, 1)));
          in.add(engine.upload(positions(b, step, 1)));
          in.add(engine.upload(HostTensor.of(bias, b, 1, 1, slots)));
          in.addAll(state.subList(1, state.size()));
          List<Tensor> out = decode.call(in);
          in.forEach(Tensor::close);
          state.get(0).close();
          state = out;
          HostTensor dl = engine.download(state.get(0));
          for (int r = 0; r < b; r++) {
            assertClose(expected.floats(), dl.floats(), (r * t + step) * v, v, r * v, caseName + " decode step " + step + " row " + r);
          }
        }
        state.forEach(Tensor::close);
      }
    }
  }

  /** Cached greedy generation equals recomputing the whole sequence, for a ragged batch (padding, positions). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void cachedGreedyEqualsNaiveForALlamaWithRaggedPrompts(String engineName) throws Exception {
    ModelCheckpoint ckpt = ModelCheckpoint.read(ROOT.resolve("qwen3-headdim-bf16"), ModelFormats.discovered());
    Random r = new Random(3);
    List<int[]> prompts = new ArrayList<>();
    for (int n : new int[] {2, 9, 5}) {
      int[] pr = new int[n];
      for (int i = 0; i < n; i++) {
        pr[i] = 3 + r.nextInt(250);
      }
      prompts.add(pr);
    }
    try (Engine engine = AllEngines.create(engineName)) {
      Parameters p = engine.createParameters(ckpt.weights(), Set.of());
      try (Generator g = new Generator(engine, ckpt.model(), p, 0, 1)) {
        List<int[]> cached = g.generate(prompts, SamplingConfig.greedy(12), 3);
        List<int[]> naive = g.generateNaive(prompts, SamplingConfig.greedy(12), 3);
        int total = 0;
        for (int i = 0; i < prompts.size(); i++) {
          assertArrayEquals(naive.get(i), cached.get(i), "prompt " + i);
          total += cached.get(i).length;
        }
        assertTrue(total > 12, "generated tokens: " + total);
      }
    }
  }

  private static HostTensor positions(int b, int from, int n) {
    int[] pos = new int[b * n];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = from + i % n;
    }
    return HostTensor.ofInts(pos, b, n);
  }

  private static void assertClose(float[] want, float[] got, int from, int n, String what) {
    assertClose(want, got, from, n, from, what);
  }

  private static void assertClose(float[] want, float[] got, int wantFrom, int n, int gotFrom, String what) {
    float worst = 0;
    int at = -1;
    for (int i = 0; i < n; i++) {
      float d = Math.abs(want[wantFrom + i] - got[gotFrom + i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    assertTrue(worst <= TOLERANCE, what + ": max |diff| " + worst + " at " + at);
    if (what.endsWith(" prefill")) {
      System.out.printf("golden %s: max |logit - reference| %.2e%n", what, worst);
    }
  }
}
