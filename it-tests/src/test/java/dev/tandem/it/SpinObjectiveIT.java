package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.Batcher;
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
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.train.ReferenceLogProbs;
import dev.tandem.spin.DpoObjective;
import dev.tandem.spin.SpinObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPIN's loss on a real GPT, on every engine: the loss and metrics the engine computes equal plain
 * Java's from the model's logits (read back from the engine and log-softmaxed in double
 * precision), the reference log-probs agree with the same computation, padding pairs are ignored,
 * and RMSProp on the loss raises the margins.
 */
class SpinObjectiveIT {
  static final ModelConfig CONFIG = ModelConfig.of(261, 1, 2, 32, 32);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void lossMetricsAndReferenceMatchPlainJavaAndTrainingRaisesTheMargin(String engineName) {
    Gpt gpt = new Gpt(CONFIG);
    Random r = new Random(5);
    List<PreferencePair> pairs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int[] prompt = random(r, 2 + r.nextInt(6));
      pairs.add(PreferencePair.of(Example.of(prompt, random(r, 1 + r.nextInt(8)), "p" + i), Example.of(prompt, random(r, 1 + r.nextInt(8)), "p" + i)));
    }
    int[] buckets = {16, 32};
    try (Engine engine = AllEngines.create(engineName)) {
      Parameters params = engine.createParameters(gpt.initialWeights(3), gpt.initialWeights(3).keySet());
      // plain Java from the engine's logits
      double[][] logps = new double[pairs.size()][2];
      try (CompiledFunction forward = engine.compile(params, (ops, p, in) -> List.of(gpt.forward(ops, p, in.get(0), null, null)))) {
        for (int i = 0; i < pairs.size(); i++) {
          logps[i][0] = javaLogProb(engine, forward, pairs.get(i).chosen());
          logps[i][1] = javaLogProb(engine, forward, pairs.get(i).rejected());
        }
      }
      // the reference as the SPIN loop computes it: perturbed so that margins are not all zero
      List<PreferencePair> scored;
      try (ReferenceLogProbs ref = new ReferenceLogProbs(engine, gpt, params)) {
        scored = ref.score(pairs, new Batcher(4, buckets, 257));
      }
      for (int i = 0; i < pairs.size(); i++) {
        assertEquals(logps[i][0], scored.get(i).refChosen(), 2e-3, "reference log-prob of chosen " + i);
        assertEquals(logps[i][1], scored.get(i).refRejected(), 2e-3, "reference log-prob of rejected " + i);
      }
      List<PreferencePair> shifted = new ArrayList<>();
      double[][] refs = new double[pairs.size()][2];
      for (int i = 0; i < pairs.size(); i++) {
        refs[i][0] = scored.get(i).refChosen() + (i % 2 == 0 ? 0.7 : -0.4);
        refs[i][1] = scored.get(i).refRejected() - 0.3 * i;
        shifted.add(pairs.get(i).withReference((float) refs[i][0], (float) refs[i][1]));
      }
      // 4 pairs a batch: the second batch holds 1 real pair and 3 padding pairs
      PreferenceBatcher batcher = new PreferenceBatcher(4, buckets, 257);
      for (DpoObjective.Loss kind : DpoObjective.Loss.values()) {
        SpinObjective spin = new SpinObjective(0.5f, kind);
        LossFunction loss = (ops, p, in) -> spin.loss(ops, gpt, p, in);
        try (TrainStep step = engine.trainStep(params, loss, RmsProp.defaults(), new TrainStepOptions(1f))) {
          for (int from = 0; from < shifted.size(); from += 4) {
            List<PreferencePair> chunk = shifted.subList(from, Math.min(shifted.size(), from + 4));
            StepResult res = step.evaluate(batcher.batch(chunk));
            double l = 0, acc = 0, margins = 0, real = 0, gen = 0;
            for (int i = from; i < from + chunk.size(); i++) {
              double h = (logps[i][0] - refs[i][0]) - (logps[i][1] - refs[i][1]);
              l += kind == DpoObjective.Loss.SIGMOID ? Math.log1p(Math.exp(-0.5 * h)) : Math.max(0, 1 - 0.5 * h);
              acc += h > 0 ? 1 : 0;
              margins += 0.5 * h;
              real += logps[i][0];
              gen += logps[i][1];
            }
            int n = chunk.size();
            String where = engineName + " " + kind + " batch " + from / 4;
            assertEquals(l / n, res.loss(), 2e-3, where + " loss");
            assertEquals(acc / n, res.metrics().get("rewards/accuracies"), 1e-6, where);
            assertEquals(margins / n, res.metrics().get("rewards/margins"), 2e-3, where);
            assertEquals(real / n, res.metrics().get("logps/real"), 2e-3, where);
            assertEquals(gen / n, res.metrics().get("logps/generated"), 2e-3, where);
            assertEquals(n, res.metrics().get("pairs"), 0, where);
          }
        }
      }
      // training on the loss separates real from generated
      SpinObjective spin = new SpinObjective();
      LossFunction loss = (ops, p, in) -> spin.loss(ops, gpt, p, in);
      List<HostTensor> batch = new PreferenceBatcher(5, buckets, 257).batch(scored);
      try (TrainStep step = engine.trainStep(params, loss, RmsProp.defaults(), new TrainStepOptions(1f))) {
        StepResult first = step.run(batch, 1e-3f);
        StepResult last = first;
        for (int i = 0; i < 15; i++) {
          last = step.run(batch, 1e-3f);
        }
        assertEquals(Math.log(2), first.loss(), 1e-3, "at the reference the margin is 0: loss log 2");
        assertTrue(last.loss() < first.loss() - 0.05, engineName + ": loss " + first.loss() + " -> " + last.loss());
        assertTrue(last.metrics().get("rewards/margins") > 0, last.metrics().toString());
        assertEquals(1f, last.metrics().get("rewards/accuracies"), 1e-6, last.metrics().toString());
      }
    }
  }

  /** Summed completion log-prob from the engine's logits, in double precision. */
  private static double javaLogProb(Engine engine, CompiledFunction forward, Example e) {
    int[] tokens = e.tokens();
    int t = tokens.length - 1;
    float[] logits;
    try (Tensor ids = engine.upload(HostTensor.ofInts(java.util.Arrays.copyOf(tokens, t), 1, t))) {
      List<Tensor> out = forward.call(List.of(ids));
      logits = engine.download(out.get(0)).floats();
      out.forEach(Tensor::close);
    }
    int v = CONFIG.vocabSize();
    double sum = 0;
    for (int pos = e.promptLength() - 1; pos < t; pos++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < v; k++) {
        max = Math.max(max, logits[pos * v + k]);
      }
      double z = 0;
      for (int k = 0; k < v; k++) {
        z += Math.exp(logits[pos * v + k] - max);
      }
      sum += logits[pos * v + tokens[pos + 1]] - max - Math.log(z);
    }
    return sum;
  }

  private static int[] random(Random r, int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = 97 + r.nextInt(26);
    }
    return a;
  }
}
