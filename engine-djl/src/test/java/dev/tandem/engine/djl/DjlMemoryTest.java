package dev.tandem.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No NDArray survives a train step, an evaluation or a function call beyond what it returns. */
class DjlMemoryTest {
  private static HostTensor random(Random r, int... shape) {
    float[] f = new float[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextGaussian() * 0.3f;
    }
    return HostTensor.of(f, shape);
  }

  @ParameterizedTest(name = "fused kernels: {0}")
  @ValueSource(booleans = {true, false})
  void twoHundredStepsLeaveNoArraysBehind(boolean fusedKernels) {
    Random r = new Random(1);
    try (DjlEngine engine =
        new DjlEngineProvider().create(new EngineOptions("cpu", 1), fusedKernels)) {
      Map<String, HostTensor> init = new LinkedHashMap<>();
      init.put("emb", random(r, 10, 8));
      init.put("w", random(r, 8, 8));
      init.put("b", random(r, 8));
      init.put("g", HostTensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, 8));
      Parameters p = engine.createParameters(init, Set.of("w", "b", "g"));
      LossFunction loss =
          (o, params, in) -> {
            Tensor h = o.embedding(params.get("emb"), in.get(0));
            h = o.gelu(o.add(o.matmul(h, params.get("w")), params.get("b")));
            h = o.layerNorm(h, params.get("g"), o.zeros(8), 1e-5f);
            Tensor logits = o.matmul(h, o.transpose(params.get("emb"), 1, 0));
            Tensor lp = o.takeAlongLastAxis(o.logSoftmax(logits, -1), in.get(1));
            Tensor nll = o.neg(o.mean(o.reshape(lp, -1), 0, false));
            return new LossOutput(nll, Map.of("max", o.max(o.reshape(lp, -1), 0, false)));
          };
      List<HostTensor> batch =
          List.of(
              HostTensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3),
              HostTensor.ofInts(new int[] {2, 3, 4, 5, 6, 7}, 2, 3));
      NDManager system = engine.root().getParentManager();
      try (TrainStep step = engine.trainStep(p, loss, AdamW.defaults(), new TrainStepOptions(1f));
          CompiledFunction f =
              engine.compile(
                  p,
                  (o, params, in) ->
                      List.of(
                          o.matmul(o.embedding(params.get("emb"), in.get(0)), params.get("w"))))) {
        step.run(batch, 1e-3f);
        int live = engine.liveArrays();
        int all = system.getManagedArrays().size();
        for (int i = 0; i < 200; i++) {
          step.run(batch, 1e-3f);
          if (i % 20 == 0) {
            step.evaluate(batch);
            try (Tensor ids = engine.upload(batch.get(0))) {
              f.call(List.of(ids)).forEach(Tensor::close);
            }
          }
        }
        assertEquals(live, engine.liveArrays(), "arrays under the engine");
        assertEquals(all, system.getManagedArrays().size(), "arrays under DJL's system manager");
      }
    }
  }

  /**
   * A loss whose hidden layers run inside {@link dev.tandem.api.tensor.TensorOps#tidy} leaves one
   * array per layer behind instead of all its temporaries, and trains to the same bits as without.
   */
  @org.junit.jupiter.api.Test
  void tidyKeepsOnlyItsResultAndTrainsTheSame() {
    Random r = new Random(2);
    Map<String, HostTensor> init = new LinkedHashMap<>();
    init.put("emb", random(r, 10, 8));
    for (int l = 0; l < 3; l++) {
      init.put("w" + l, random(r, 8, 8));
      init.put("g" + l, HostTensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, 8));
    }
    List<HostTensor> batch =
        List.of(
            HostTensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3),
            HostTensor.ofInts(new int[] {2, 3, 4, 5, 6, 7}, 2, 3));
    Map<String, HostTensor> after = new LinkedHashMap<>();
    for (boolean tidy : new boolean[] {false, true}) {
      try (DjlEngine engine = new DjlEngineProvider().create(new EngineOptions("cpu", 1), true)) {
        Parameters p = engine.createParameters(init, init.keySet());
        int[] leftPerLayer = new int[3];
        LossFunction loss =
            (o, params, in) -> {
              Tensor h = o.embedding(params.get("emb"), in.get(0));
              for (int l = 0; l < 3; l++) {
                Tensor x = h;
                String w = "w" + l;
                String g = "g" + l;
                java.util.function.Supplier<Tensor> layer = () -> o.add(x,
                    o.mul(o.gelu(o.matmul(o.rmsNorm(x, params.get(g), 1e-5f), params.get(w))), 0.5f));
                int before = engine.liveArrays();
                h = tidy ? o.tidy(layer) : layer.get();
                leftPerLayer[l] = engine.liveArrays() - before;
              }
              Tensor logits = o.matmul(h, o.transpose(params.get("emb"), 1, 0));
              Tensor lp = o.takeAlongLastAxis(o.logSoftmax(logits, -1), in.get(1));
              return new LossOutput(o.neg(o.mean(o.reshape(lp, -1), 0, false)), Map.of());
            };
        try (TrainStep step = engine.trainStep(p, loss, AdamW.defaults(), new TrainStepOptions(1f))) {
          for (int i = 0; i < 3; i++) {
            step.run(batch, 1e-2f);
          }
        }
        for (int l = 1; l < 3; l++) { // layer 0 also caches the step's scalar constants
          if (tidy) {
            assertEquals(1, leftPerLayer[l], "arrays a tidy layer leaves");
          } else {
            org.junit.jupiter.api.Assertions.assertTrue(leftPerLayer[l] > 3, "arrays a plain layer leaves: " + leftPerLayer[l]);
          }
        }
        Map<String, HostTensor> values = p.readAll();
        if (tidy) {
          assertEquals(after, values, "parameters after 3 steps with and without tidy");
        } else {
          after.putAll(values);
        }
      }
    }
  }

  /**
   * {@link dev.tandem.api.tensor.TensorOps#tidyAll} in a compiled function (as a generation pass's
   * layers use it) keeps every tensor the body returns, frees the rest, and computes the same bits.
   */
  @org.junit.jupiter.api.Test
  void tidyAllKeepsEveryResultAndComputesTheSame() {
    Random r = new Random(3);
    Map<String, HostTensor> init = new LinkedHashMap<>();
    for (int l = 0; l < 3; l++) {
      init.put("w" + l, random(r, 8, 8));
    }
    HostTensor x0 = random(r, 2, 8);
    List<HostTensor> first = null;
    for (boolean tidy : new boolean[] {false, true}) {
      try (DjlEngine engine = new DjlEngineProvider().create(new EngineOptions("cpu", 1), true)) {
        Parameters p = engine.createParameters(init, Set.of());
        int[] leftPerLayer = new int[3];
        try (CompiledFunction f = engine.compile(p, (o, params, in) -> {
              Tensor h = in.get(0);
              List<Tensor> cache = new java.util.ArrayList<>();
              for (int l = 0; l < 3; l++) {
                Tensor x = h;
                String w = "w" + l;
                java.util.function.Supplier<List<Tensor>> layer = () -> {
                  Tensor k = o.matmul(o.gelu(x), params.get(w));
                  Tensor v = o.mul(o.tanh(k), 2f);
                  return List.of(o.add(x, o.mul(v, 0.5f)), k, v);
                };
                int before = engine.liveArrays();
                List<Tensor> out = tidy ? o.tidyAll(layer) : layer.get();
                leftPerLayer[l] = engine.liveArrays() - before;
                h = out.get(0);
                cache.add(out.get(1));
                cache.add(out.get(2));
              }
              cache.add(0, h);
              return cache;
            });
            Tensor in = engine.upload(x0)) {
          List<Tensor> outs = f.call(List.of(in));
          List<HostTensor> host = new java.util.ArrayList<>();
          for (Tensor t : outs) {
            host.add(engine.download(t));
            t.close();
          }
          for (int l = 1; l < 3; l++) { // layer 0 also caches the function's scalar constants
            if (tidy) {
              assertEquals(3, leftPerLayer[l], "arrays a tidyAll layer leaves: its three results");
            } else {
              org.junit.jupiter.api.Assertions.assertTrue(leftPerLayer[l] > 3, "arrays a plain layer leaves: " + leftPerLayer[l]);
            }
          }
          if (tidy) {
            assertEquals(first, host, "outputs with and without tidyAll");
          } else {
            first = host;
          }
        }
      }
    }
  }
}
