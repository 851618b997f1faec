package dev.tandem.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Tracing, device tensors, KV-cache generation and training of a small GPT on the engine. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfEngineTest {
  private static final ModelConfig TINY = ModelConfig.of(23, 2, 2, 16, 32);
  private Engine engine;

  @BeforeAll
  void start() {
    engine = TfTestSupport.engine();
  }

  @AfterAll
  void stop() {
    engine.close();
  }

  @Test
  void oneTracePerSignatureOverAThousandCalls() {
    Parameters p = engine.createParameters(Map.of("w", HostTensor.of(new float[] {2, 3}, 2)), Set.of());
    try (CompiledFunction f = engine.compile(p, (o, params, in) ->
        List.of(o.gelu(o.mul(in.get(0), params.get("w")))))) {
      try (Tensor x = engine.upload(HostTensor.of(new float[] {1, -1, 0.5f, 2}, 2, 2))) {
        for (int i = 0; i < 1000; i++) {
          f.call(List.of(x)).forEach(Tensor::close);
        }
      }
      assertEquals(1, f.traceCount());
      TfTestSupport.call(engine, f, List.of(HostTensor.zeros(3, 2)));
      assertEquals(2, f.traceCount());
    }
  }

  @Test
  void aTrainStepTracesOncePerBatchShape() {
    Gpt gpt = new Gpt(TINY);
    Parameters p = engine.createParameters(gpt.initialWeights(1), gpt.initialWeights(1).keySet());
    SftObjective sft = new SftObjective();
    try (TrainStep step = engine.trainStep(p, (o, params, in) -> sft.loss(o, gpt, params, in),
        AdamW.defaults(), new TrainStepOptions(1f))) {
      List<HostTensor> batch = batch(new Random(2), 4, 8);
      float first = step.run(batch, 1e-2f).loss();
      StepResult last = null;
      for (int i = 0; i < 30; i++) {
        last = step.run(batch, 1e-2f);
      }
      assertEquals(1, step.traceCount());
      assertTrue(last.loss() < 0.5f * first, "loss " + first + " -> " + last.loss());
      assertEquals(16f, last.metrics().get("tokens"));
      assertTrue(last.gradNorm() > 0 && Float.isFinite(last.gradNorm()));
      step.evaluate(batch(new Random(3), 2, 16));
      assertEquals(2, step.traceCount());
      assertEquals(31, step.updates());
    }
  }

  /** Rows of random tokens; targets are the inputs shifted; the second half of each row counts. */
  static List<HostTensor> batch(Random r, int b, int t) {
    int[] ids = new int[b * t];
    int[] targets = new int[b * t];
    float[] mask = new float[b * t];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(TINY.vocabSize());
    }
    for (int i = 0; i < ids.length; i++) {
      targets[i] = (i + 1) % t == 0 ? 0 : ids[i + 1];
      mask[i] = i % t >= t / 2 ? 1 : 0;
    }
    return List.of(HostTensor.ofInts(ids, b, t), HostTensor.ofInts(targets, b, t), HostTensor.of(mask, b, t));
  }

  @Test
  void kvCacheGenerationMatchesRecomputation() {
    Gpt gpt = new Gpt(TINY);
    Map<String, HostTensor> w = TfTestSupport.scaled(gpt.initialWeights(5), 10f);
    Parameters p = engine.createParameters(w, Set.of());
    List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6, 7, 8, 9, 10}, new int[] {11});
    try (Generator g = new Generator(engine, gpt, p, 0, 22)) {
      List<int[]> cached = g.generate(prompts, SamplingConfig.greedy(10), 3);
      List<int[]> naive = g.generateNaive(prompts, SamplingConfig.greedy(10), 3);
      for (int i = 0; i < prompts.size(); i++) {
        assertArrayEquals(naive.get(i), cached.get(i), "prompt " + i);
      }
      assertTrue(cached.stream().mapToInt(a -> a.length).sum() > 10, "too few tokens to compare");
    }
  }

  @Test
  void outOfRangeIdsFailWithAndWithoutXla() {
    for (boolean xla : new boolean[] {true, false}) {
      try (Engine e = new TfEngineProvider().create(new dev.tandem.api.engine.EngineOptions("cpu", 1), xla)) {
        Gpt gpt = new Gpt(TINY);
        Parameters p = e.createParameters(gpt.initialWeights(1), gpt.initialWeights(1).keySet());
        SftObjective sft = new SftObjective();
        try (TrainStep step = e.trainStep(p, (o, params, in) -> sft.loss(o, gpt, params, in),
            AdamW.defaults(), new TrainStepOptions(1f))) {
          List<HostTensor> good = batch(new Random(4), 2, 8);
          step.run(good, 1e-3f);
          int[] ids = good.get(0).ints().clone();
          ids[3] = TINY.vocabSize();
          List<HostTensor> bad = List.of(HostTensor.ofInts(ids, 2, 8), good.get(1), good.get(2));
          RuntimeException x = assertThrows(RuntimeException.class, () -> step.run(bad, 1e-3f));
          assertTrue(x.getMessage().contains("embedding: an index is outside [0, 23)"), x.getMessage());
          int[] targets = good.get(1).ints().clone();
          targets[5] = -1;
          List<HostTensor> badTargets = List.of(good.get(0), HostTensor.ofInts(targets, 2, 8), good.get(2));
          x = assertThrows(RuntimeException.class, () -> step.evaluate(badTargets));
          assertTrue(x.getMessage().contains("takeAlongLastAxis: an index is outside [0, 23)"), x.getMessage());
          assertEquals(1, step.updates());
        }
      }
    }
  }

  @Test
  void misuseGivesClearErrors() {
    Parameters p = engine.createParameters(Map.of("w", HostTensor.scalar(1f)), Set.of("w"));
    IllegalStateException outside = assertThrows(IllegalStateException.class, () -> p.get("w"));
    assertTrue(outside.getMessage().contains("inside a function"), outside.getMessage());
    try (Tensor captured = engine.upload(HostTensor.scalar(2f));
        CompiledFunction f = engine.compile(p, (o, params, in) -> List.of(o.mul(in.get(0), captured)))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TfTestSupport.call(engine, f, List.of(HostTensor.scalar(1f))));
      assertTrue(e.getMessage().contains("pass it as an input"), e.getMessage());
    }
    try (CompiledFunction f = engine.compile(p, (o, params, in) -> List.of(o.add(in.get(0), in.get(1))))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TfTestSupport.call(engine, f, List.of(HostTensor.zeros(2, 3), HostTensor.zeros(4))));
      assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }
    Tensor x = engine.upload(HostTensor.scalar(1f));
    x.close();
    assertThrows(IllegalStateException.class, () -> engine.download(x));
  }
}
