package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.train.ReferenceLogProbs;
import dev.tandem.spin.SimpoObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SimPO on a real GPT, on every engine: the loss and metrics the engine computes equal plain Java's
 * {@code -log sigmoid(beta A_w - beta A_l - gamma)} (A the mean completion log-prob, from the
 * model's logits read back and log-softmaxed in double precision), padding pairs are ignored, and
 * the engine's gradient points where the formula says: one SGD step changes the loss by the chain
 * rule's {@code mean(-beta sigmoid(-z) (dA_w - dA_l))} of the log-prob changes it causes, and
 * steps raise the margin.
 */
class SimpoObjectiveIT {
  static final int V = SpinObjectiveIT.CONFIG.vocabSize();

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void lossMetricsAndGradientDirectionMatchPlainJava(String engineName) {
    Gpt gpt = new Gpt(SpinObjectiveIT.CONFIG);
    Random r = new Random(9);
    List<PreferencePair> pairs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int[] prompt = random(r, 2 + r.nextInt(6));
      pairs.add(PreferencePair.of(Example.of(prompt, random(r, 1 + r.nextInt(8)), "p" + i), Example.of(prompt, random(r, 1 + r.nextInt(8)), "p" + i)));
    }
    pairs = ReferenceLogProbs.unscored(pairs);
    int[] buckets = {16, 32};
    float beta = 2f, gamma = 0.3f;
    SimpoObjective simpo = new SimpoObjective(beta, gamma);
    LossFunction loss = (ops, p, in) -> simpo.loss(ops, gpt, p, in);
    try (Engine engine = AllEngines.create(engineName)) {
      Parameters params = engine.createParameters(gpt.initialWeights(4), gpt.initialWeights(4).keySet());
      try (CompiledFunction forward = engine.compile(params, (ops, p, in) -> List.of(gpt.forward(ops, p, in.get(0), null, null)));
          TrainStep step = engine.trainStep(params, loss, new Sgd(), new TrainStepOptions(0f))) {
        double[][] before = averages(engine, forward, pairs);
        // 4 pairs a batch: the second batch holds 1 real pair and 3 padding pairs
        PreferenceBatcher four = new PreferenceBatcher(4, buckets, 257);
        for (int from = 0; from < pairs.size(); from += 4) {
          List<PreferencePair> chunk = pairs.subList(from, Math.min(pairs.size(), from + 4));
          StepResult res = step.evaluate(four.batch(chunk));
          double l = 0, acc = 0, margins = 0, chosen = 0, rejected = 0;
          for (int i = from; i < from + chunk.size(); i++) {
            double z = beta * (before[i][0] - before[i][1]) - gamma;
            l += Math.log1p(Math.exp(-z));
            acc += before[i][0] > before[i][1] ? 1 : 0;
            margins += beta * (before[i][0] - before[i][1]);
            chosen += before[i][0];
            rejected += before[i][1];
          }
          int n = chunk.size();
          String where = engineName + " batch " + from / 4;
          assertEquals(l / n, res.loss(), 2e-3, where + " loss");
          assertEquals(acc / n, res.metrics().get("rewards/accuracies"), 1e-6, where);
          assertEquals(margins / n, res.metrics().get("rewards/margins"), 2e-3, where);
          assertEquals(chosen / n, res.metrics().get("logps/chosen"), 2e-3, where);
          assertEquals(rejected / n, res.metrics().get("logps/rejected"), 2e-3, where);
          assertEquals(n, res.metrics().get("pairs"), 0, where);
        }
        // one small SGD step on all 5 pairs: the loss changes as the chain rule of the formula says
        // (to first order: a step of 0.05 is off by a fifth, one of 2e-3 by well under 1%)
        List<HostTensor> all = new PreferenceBatcher(5, buckets, 257).batch(pairs);
        StepResult first = step.run(all, 2e-3f);
        double[][] after = averages(engine, forward, pairs);
        double predicted = 0, plainBefore = 0, plainAfter = 0;
        for (int i = 0; i < pairs.size(); i++) {
          double z = beta * (before[i][0] - before[i][1]) - gamma;
          double dz = beta * ((after[i][0] - before[i][0]) - (after[i][1] - before[i][1]));
          predicted += -sigmoid(-z) * dz / pairs.size();
          plainBefore += Math.log1p(Math.exp(-z)) / pairs.size();
          plainAfter += Math.log1p(Math.exp(-(beta * (after[i][0] - after[i][1]) - gamma))) / pairs.size();
        }
        double actual = step.evaluate(all).loss() - first.loss();
        assertEquals(plainBefore, first.loss(), 2e-3, engineName);
        assertEquals(plainAfter - plainBefore, actual, 1e-4 + 0.02 * Math.abs(actual), engineName + ": the engine's loss change is plain Java's");
        assertTrue(actual < 0, engineName + ": an SGD step lowers the loss, " + actual);
        assertEquals(predicted, actual, 0.1 * Math.abs(actual) + 1e-4, engineName + ": first-order change from the log-prob changes");
        StepResult last = first;
        for (int i = 0; i < 10; i++) {
          last = step.run(all, 0.05f);
        }
        assertTrue(last.metrics().get("rewards/margins") > first.metrics().get("rewards/margins") + 0.05,
            engineName + ": margins " + first.metrics() + " -> " + last.metrics());
      }
    }
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Plain Java from the engine's logits: each pair's mean chosen and rejected completion log-probs. */
  private static double[][] averages(Engine engine, CompiledFunction forward, List<PreferencePair> pairs) {
    double[][] out = new double[pairs.size()][2];
    for (int i = 0; i < pairs.size(); i++) {
      out[i][0] = average(engine, forward, pairs.get(i).chosen());
      out[i][1] = average(engine, forward, pairs.get(i).rejected());
    }
    return out;
  }

  private static double average(Engine engine, CompiledFunction forward, Example e) {
    int[] tokens = e.tokens();
    int t = tokens.length - 1;
    float[] logits;
    try (Tensor ids = engine.upload(HostTensor.ofInts(java.util.Arrays.copyOf(tokens, t), 1, t))) {
      List<Tensor> out = forward.call(List.of(ids));
      logits = engine.download(out.get(0)).floats();
      out.forEach(Tensor::close);
    }
    double sum = 0;
    for (int pos = e.promptLength() - 1; pos < t; pos++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < V; k++) {
        max = Math.max(max, logits[pos * V + k]);
      }
      double z = 0;
      for (int k = 0; k < V; k++) {
        z += Math.exp(logits[pos * V + k] - max);
      }
      sum += logits[pos * V + tokens[pos + 1]] - max - Math.log(z);
    }
    return sum / e.completionLength();
  }

  private static int[] random(Random r, int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = 97 + r.nextInt(26);
    }
    return a;
  }
}
