package dev.tandem.api.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import dev.tandem.api.testing.FunctionLM;
import dev.tandem.api.testing.HostOps;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DPO-family machinery against plain Java on a tiny case, with a model that returns fixed logits. */
class PreferenceObjectiveTest {
  static final int V = 5;

  /** Logistic loss, as DPO. */
  static final class Logistic extends PreferenceObjective {
    Logistic(float beta) {
      super(beta);
    }

    @Override
    public String name() {
      return "test-logistic";
    }

    @Override
    public PreferenceObjective withBeta(float beta) {
      return new Logistic(beta);
    }

    @Override
    protected Tensor pairLosses(TensorOps ops, Tensor margins) {
      return ops.neg(ops.logSigmoid(ops.mul(margins, beta())));
    }
  }

  /** Logits that depend on the input token and position only, so plain Java can recompute them. */
  static double logit(int token, int position, int v) {
    return Math.sin(1.3 * token + 0.7 * v + 0.11 * position * (v + 1));
  }

  /** A model whose logits are {@link #logit}. */
  public static CausalLM fixedLogits() {
    return new FunctionLM(V, PreferenceObjectiveTest::logit);
  }

  /** Summed completion log-prob of an example under {@link #logit}, in double precision. */
  static double logp(Example e) {
    int[] tok = e.tokens();
    double s = 0;
    for (int pos = Math.max(0, e.promptLength() - 1); pos < tok.length - 1; pos++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < V; v++) {
        max = Math.max(max, logit(tok[pos], pos, v));
      }
      double z = 0;
      for (int v = 0; v < V; v++) {
        z += Math.exp(logit(tok[pos], pos, v) - max);
      }
      s += logit(tok[pos], pos, tok[pos + 1]) - max - Math.log(z);
    }
    return s;
  }

  @Test
  void lossAndMetricsMatchPlainJavaAndIgnorePaddingPairs() {
    Random r = new Random(3);
    List<PreferencePair> pairs = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int[] prompt = {r.nextInt(V), r.nextInt(V)};
      int[] c = new int[1 + r.nextInt(4)];
      int[] j = new int[1 + r.nextInt(4)];
      for (int k = 0; k < c.length; k++) {
        c[k] = r.nextInt(V);
      }
      for (int k = 0; k < j.length; k++) {
        j[k] = r.nextInt(V);
      }
      pairs.add(
          PreferencePair.of(Example.of(prompt, c, "c" + i), Example.of(prompt, j, "j" + i))
              .withReference((float) -r.nextDouble() * 5, (float) -r.nextDouble() * 5));
    }
    float beta = 0.7f;
    // 4 pairs a batch: one padding pair, which must not change anything
    List<HostTensor> batch = new PreferenceBatcher(4, new int[] {8}, 0).batch(pairs);
    HostOps ops = new HostOps();
    List<Tensor> in = batch.stream().map(h -> (Tensor) HostOps.of(h)).toList();
    LossOutput out = new Logistic(beta).loss(ops, fixedLogits(), null, in);

    double loss = 0, rc = 0, rr = 0, acc = 0, margin = 0, lc = 0, lr = 0;
    for (PreferencePair p : pairs) {
      double pc = logp(p.chosen());
      double pr = logp(p.rejected());
      double h = (pc - p.refChosen()) - (pr - p.refRejected());
      loss += Math.log(1 + Math.exp(-beta * h));
      rc += beta * (pc - p.refChosen());
      rr += beta * (pr - p.refRejected());
      acc += h > 0 ? 1 : 0;
      margin += beta * h;
      lc += pc;
      lr += pr;
    }
    int n = pairs.size();
    assertEquals(loss / n, value(out.loss()), 1e-5);
    Map<String, Tensor> m = out.metrics();
    assertEquals(rc / n, value(m.get("rewards/chosen")), 1e-5);
    assertEquals(rr / n, value(m.get("rewards/rejected")), 1e-5);
    assertEquals(acc / n, value(m.get("rewards/accuracies")), 1e-9);
    assertEquals(margin / n, value(m.get("rewards/margins")), 1e-5);
    assertEquals(lc / n, value(m.get("logps/chosen")), 1e-5);
    assertEquals(lr / n, value(m.get("logps/rejected")), 1e-5);
    assertEquals(n, value(m.get("pairs")), 0);
  }

  @Test
  void identicalResponsesGiveZeroMarginAndNoAccuracy() {
    Example e = Example.of(new int[] {1, 2}, new int[] {3, 4}, "same");
    PreferencePair p = PreferencePair.of(e, e).withReference(-2f, -2f);
    List<Tensor> in = new PreferenceBatcher(1, new int[] {4}, 0).batch(List.of(p)).stream().map(h -> (Tensor) HostOps.of(h)).toList();
    LossOutput out = new Logistic(0.1f).loss(new HostOps(), fixedLogits(), null, in);
    assertEquals(Math.log(2), value(out.loss()), 1e-6);
    assertEquals(0, value(out.metrics().get("rewards/accuracies")), 0);
    assertEquals(0, value(out.metrics().get("rewards/margins")), 1e-9);
  }

  @Test
  void betaMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new Logistic(0f));
    assertThrows(IllegalArgumentException.class, () -> new Logistic(Float.NaN));
    assertEquals(0.5f, new Logistic(0.1f).withBeta(0.5f).beta());
    assertEquals(InputLayout.PREFERENCE_PAIRS, new Logistic(0.1f).inputLayout());
  }

  private static double value(Tensor t) {
    return HostOps.host(t).item();
  }
}
