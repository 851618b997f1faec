package dev.tandem.engine.tensorflow;

import static dev.tandem.engine.tensorflow.TfTestSupport.checkDirectionalGradients;
import static dev.tandem.engine.tensorflow.TfTestSupport.uniform;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gradients of the shapes a GPT uses (ranks 3 and 4, where some of TensorFlow's C API gradients
 * assume matrices), and of a whole GPT with the SFT loss, against finite differences.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfGradientTest {
  private static final double TOL = 2e-2;
  private Engine engine;

  @BeforeAll
  void start() {
    engine = TfTestSupport.engine();
  }

  @AfterAll
  void stop() {
    engine.close();
  }

  /** {@code sum(f(x) * w)} for a fixed random {@code w} given as input 0. */
  private void check(Map<String, HostTensor> params, List<HostTensor> consts, Op f) {
    Random r = new Random(3);
    LossFunction loss = (o, p, in) -> {
      Tensor y = f.apply(o, p, in.subList(1, in.size()));
      return LossOutput.of(o.sumAll(o.mul(y, in.get(0))));
    };
    // the weights' shape is the output's: trace once eagerly to learn it
    int[] shape = outputShape(params, consts, f);
    List<HostTensor> inputs = new java.util.ArrayList<>();
    inputs.add(uniform(r, -1, 1, shape));
    inputs.addAll(consts);
    checkDirectionalGradients(engine, params, loss, inputs, TOL);
  }

  private int[] outputShape(Map<String, HostTensor> params, List<HostTensor> consts, Op f) {
    var p = engine.createParameters(params, params.keySet());
    try (var fn = engine.compile(p, (o, pp, in) -> List.of(f.apply(o, pp, in)))) {
      return TfTestSupport.call(engine, fn, consts).get(0).shape().dims();
    }
  }

  @FunctionalInterface
  interface Op {
    Tensor apply(dev.tandem.api.tensor.TensorOps o, dev.tandem.api.engine.Parameters p, List<Tensor> in);
  }

  private static Map<String, HostTensor> params(Object... kv) {
    Map<String, HostTensor> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (HostTensor) kv[i + 1]);
    }
    return m;
  }

  @Test
  void softmaxAndLogSoftmaxOfRank4AndRank3() {
    Random r = new Random(1);
    check(params("x", uniform(r, -2, 2, 2, 2, 3, 5)), List.of(), (o, p, in) -> o.softmax(p.get("x"), -1));
    check(params("x", uniform(r, -2, 2, 2, 3, 5)), List.of(), (o, p, in) -> o.logSoftmax(p.get("x"), -1));
    check(params("x", uniform(r, -2, 2, 2, 3, 4)), List.of(), (o, p, in) -> o.softmax(p.get("x"), 1));
  }

  @Test
  void layerNormGeluAndLinearOfRank3() {
    Random r = new Random(2);
    check(params("x", uniform(r, -2, 2, 2, 3, 6), "g", uniform(r, 0.5, 1.5, 6), "b", uniform(r, -1, 1, 6),
            "w", uniform(r, -1, 1, 6, 4), "c", uniform(r, -1, 1, 4)), List.of(),
        (o, p, in) -> o.gelu(o.add(o.matmul(o.layerNorm(p.get("x"), p.get("g"), p.get("b"), 1e-5f), p.get("w")),
            p.get("c"))));
  }

  @Test
  void tiedHeadAndAttentionWithFoldedTransposes() {
    Random r = new Random(4);
    check(params("h", uniform(r, -1, 1, 2, 3, 4), "wte", uniform(r, -1, 1, 7, 4)), List.of(),
        (o, p, in) -> o.matmul(p.get("h"), o.transpose(p.get("wte"), 1, 0)));
    check(params("q", uniform(r, -1, 1, 2, 2, 3, 4), "k", uniform(r, -1, 1, 2, 2, 3, 4),
            "v", uniform(r, -1, 1, 2, 2, 3, 4)), List.of(HostTensor.of(new float[] {0, -1e9f, 0, 0, 0, -1e9f, 0, 0, 0}, 3, 3)),
        (o, p, in) -> o.matmul(o.softmax(o.add(o.mul(o.matmul(p.get("q"), o.transpose(p.get("k"), 0, 1, 3, 2)), 0.5f),
            in.get(0)), -1), p.get("v")));
    check(params("a", uniform(r, -1, 1, 4, 3), "b", uniform(r, -1, 1, 4, 5)), List.of(),
        (o, p, in) -> o.matmul(o.transpose(p.get("a"), 1, 0), p.get("b")));
  }

  @Test
  void embeddingWithRepeatedIdsAndTargetLogProbs() {
    Random r = new Random(5);
    HostTensor ids = HostTensor.ofInts(new int[] {1, 1, 4, 0, 1, 3}, 2, 3);
    check(params("t", uniform(r, -1, 1, 5, 4)), List.of(ids), (o, p, in) -> o.embedding(p.get("t"), in.get(0)));
    check(params("x", uniform(r, -2, 2, 2, 3, 5)), List.of(ids),
        (o, p, in) -> o.takeAlongLastAxis(o.logSoftmax(p.get("x"), -1), in.get(0)));
  }

  @Test
  void wholeGptWithSftLoss() {
    ModelConfig c = ModelConfig.of(11, 2, 2, 8, 8);
    Gpt gpt = new Gpt(c);
    Map<String, HostTensor> w = TfTestSupport.scaled(gpt.initialWeights(7), 15f);
    HostTensor ids = HostTensor.ofInts(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1}, 2, 6);
    HostTensor targets = HostTensor.ofInts(new int[] {2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2}, 2, 6);
    HostTensor mask = HostTensor.of(new float[] {0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0}, 2, 6);
    SftObjective sft = new SftObjective();
    checkDirectionalGradients(engine, w, (o, p, in) -> sft.loss(o, gpt, p, in), List.of(ids, targets, mask), TOL);
  }
}
