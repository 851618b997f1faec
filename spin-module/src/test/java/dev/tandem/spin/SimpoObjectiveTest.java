package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.objective.InputLayout;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.testing.FunctionLM;
import dev.tandem.api.testing.HostOps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SimPO's loss, metrics and derivative against plain Java on {@link HostOps} (double precision over
 * float32 logits; the same math runs on
 * every engine, with autodiff gradients, in it-tests' SimpoObjectiveIT): the loss is {@code -log
 * sigmoid(beta/|y_w| log p(y_w) - beta/|y_l| log p(y_l) - gamma)} averaged over the real pairs, the
 * reference log-probs are never read, and moving the model towards the chosen completions lowers
 * it exactly as the chain rule of that formula says.
 */
class SimpoObjectiveTest {
  static final int V = SpinObjectiveTest.V;

  /** The test model's logits, tilted by {@code eps} towards the chosen completions' tokens. */
  static FunctionLM model(double eps, List<PreferencePair> pairs) {
    return new FunctionLM(V, (token, pos, v) -> SpinObjectiveTest.logit(token, pos, v) + eps * tilt(pairs, token, pos, v));
  }

  /** 1 where some chosen completion has token v after (token, pos), 0 elsewhere. */
  static double tilt(List<PreferencePair> pairs, int token, int pos, int v) {
    for (PreferencePair p : pairs) {
      int[] t = p.chosen().tokens();
      if (pos >= p.chosen().promptLength() - 1 && pos < t.length - 1 && t[pos] == token && t[pos + 1] == v) {
        return 1;
      }
    }
    return 0;
  }

  /** Plain Java: the mean completion log-prob of {@code e} under {@code m}. */
  static double average(FunctionLM m, Example e) {
    int[] tok = e.tokens();
    double s = 0;
    for (int pos = e.promptLength() - 1; pos < tok.length - 1; pos++) {
      double z = 0;
      for (int v = 0; v < V; v++) {
        z += Math.exp(m.logit().of(tok[pos], pos, v));
      }
      s += m.logit().of(tok[pos], pos, tok[pos + 1]) - Math.log(z);
    }
    return s / e.completionLength();
  }

  static LossOutput run(SimpoObjective o, FunctionLM m, List<PreferencePair> pairs, int perBatch) {
    List<Tensor> in = new PreferenceBatcher(perBatch, new int[] {8}, 0).batch(pairs).stream().map(h -> (Tensor) HostOps.of(h)).toList();
    return o.loss(new HostOps(), m, null, in);
  }

  static double value(Tensor t) {
    return HostOps.host(t).item();
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void lossAndMetricsMatchPlainJavaAndIgnoreTheReferenceAndPadding() {
    List<PreferencePair> pairs = SpinObjectiveTest.pairs(21, 5); // random reference log-probs
    float beta = 2f, gamma = 0.3f;
    FunctionLM m = model(0, pairs);
    LossOutput out = run(new SimpoObjective(beta, gamma), m, pairs, 7); // 2 padding pairs
    double loss = 0, chosen = 0, rejected = 0, acc = 0, lc = 0, lr = 0;
    for (PreferencePair p : pairs) {
      double w = average(m, p.chosen());
      double l = average(m, p.rejected());
      loss += -Math.log(sigmoid(beta * w - beta * l - gamma));
      chosen += beta * w;
      rejected += beta * l;
      acc += w > l ? 1 : 0;
      lc += w;
      lr += l;
    }
    int n = pairs.size();
    assertEquals(loss / n, value(out.loss()), 1e-6);
    assertEquals(
        List.of("rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "pairs"),
        List.copyOf(out.metrics().keySet()));
    assertEquals(chosen / n, value(out.metrics().get("rewards/chosen")), 1e-6);
    assertEquals(rejected / n, value(out.metrics().get("rewards/rejected")), 1e-6);
    assertEquals(acc / n, value(out.metrics().get("rewards/accuracies")), 1e-12);
    assertEquals((chosen - rejected) / n, value(out.metrics().get("rewards/margins")), 1e-6);
    assertEquals(lc / n, value(out.metrics().get("logps/chosen")), 1e-6);
    assertEquals(lr / n, value(out.metrics().get("logps/rejected")), 1e-6);
    assertEquals(n, value(out.metrics().get("pairs")), 0);
    // other reference log-probs: the same loss
    List<PreferencePair> otherRef = pairs.stream().map(p -> p.withReference(0f, -50f)).toList();
    assertEquals(value(out.loss()), value(run(new SimpoObjective(beta, gamma), m, otherRef, 7).loss()), 0);
  }

  /**
   * The derivative along a direction that raises the chosen completions' tokens: the objective's
   * (central differences on HostOps) equals the plain-Java chain rule {@code dL = mean(-beta
   * sigmoid(-z) (dA_w - dA_l))}, and is negative: training in that direction lowers the loss.
   */
  @Test
  void raisingTheChosenCompletionsLowersTheLossAsTheChainRuleSays() {
    List<PreferencePair> pairs = SpinObjectiveTest.pairs(22, 4);
    SimpoObjective simpo = new SimpoObjective();
    double eps = 1e-2; // the model's logits are float32: larger steps, second-order error
    double numeric = (value(run(simpo, model(eps, pairs), pairs, 4).loss()) - value(run(simpo, model(-eps, pairs), pairs, 4).loss())) / (2 * eps);
    double expected = 0;
    for (PreferencePair p : pairs) {
      double z = 2.0 * (average(model(0, pairs), p.chosen()) - average(model(0, pairs), p.rejected())) - 0.5;
      double dw = (average(model(eps, pairs), p.chosen()) - average(model(-eps, pairs), p.chosen())) / (2 * eps);
      double dl = (average(model(eps, pairs), p.rejected()) - average(model(-eps, pairs), p.rejected())) / (2 * eps);
      assertTrue(dw > 0, "the tilt raises every chosen completion");
      expected += -2.0 * sigmoid(-z) * (dw - dl);
    }
    expected /= pairs.size();
    assertEquals(expected, numeric, 1e-3);
    assertTrue(numeric < 0, "dL/d(tilt) = " + numeric);
  }

  @Test
  void defaultsOptionsAndCopies() {
    SimpoObjective simpo = new SimpoObjective();
    assertEquals("simpo", simpo.name());
    assertEquals(InputLayout.PREFERENCE_PAIRS, simpo.inputLayout());
    assertFalse(simpo.needsReference());
    assertTrue(new DpoObjective().needsReference());
    assertEquals("simpo(beta 2.0, gamma 0.5)", simpo.toString());
    assertEquals(List.of("beta", "gamma"), simpo.options().stream().map(o -> o.name()).toList());
    assertEquals("0.5", simpo.options().get(1).defaultValue());
    assertSame(simpo, simpo.withOptions(Map.of()));
    SimpoObjective other = simpo.withOptions(Map.of("gamma", "0.3"));
    assertEquals("simpo(beta 2.0, gamma 0.3)", other.toString());
    assertEquals("0.3", other.options().get(1).defaultValue(), "a configured copy reports its values");
    assertEquals("simpo(beta 2.5, gamma 0.3)", other.withOptions(Map.of("beta", "2.5")).toString());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> simpo.withOptions(Map.of("tau", "1")));
    assertEquals("objective 'simpo' has no option 'tau'; its options: beta, gamma", unknown.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> simpo.withOptions(Map.of("gamma", "big")));
    assertEquals("objective 'simpo', option gamma: 'big' is not a float", bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> simpo.withOptions(Map.of("beta", "-1")));
  }
}
