package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.InputLayout;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.testing.FunctionLM;
import dev.tandem.api.testing.HostOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SPIN's and DPO's losses and metrics against plain Java on a tiny case: a model whose logits are a
 * fixed function of the input token and position, run on {@link HostOps} (no engine; the same math
 * runs on every engine in it-tests).
 */
class SpinObjectiveTest {
  static final int V = 6;

  static double logit(int token, int position, int v) {
    return Math.cos(0.9 * token - 0.4 * v + 0.17 * position * (v + 2));
  }

  static final CausalLM MODEL = new FunctionLM(V, SpinObjectiveTest::logit);

  static double logp(Example e) {
    int[] tok = e.tokens();
    double s = 0;
    for (int pos = e.promptLength() - 1; pos < tok.length - 1; pos++) {
      double z = 0;
      for (int v = 0; v < V; v++) {
        z += Math.exp(logit(tok[pos], pos, v));
      }
      s += logit(tok[pos], pos, tok[pos + 1]) - Math.log(z);
    }
    return s;
  }

  static List<PreferencePair> pairs(long seed, int n) {
    Random r = new Random(seed);
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] prompt = {r.nextInt(V), r.nextInt(V), r.nextInt(V)};
      int[] real = random(r, 1 + r.nextInt(4));
      int[] generated = random(r, 1 + r.nextInt(4));
      out.add(PreferencePair.of(Example.of(prompt, real, "real" + i), Example.of(prompt, generated, "gen" + i))
          .withReference((float) (-3 * r.nextDouble()), (float) (-3 * r.nextDouble())));
    }
    return out;
  }

  static int[] random(Random r, int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(V);
    }
    return a;
  }

  static LossOutput run(DpoObjective objective, List<PreferencePair> pairs, int perBatch) {
    List<Tensor> in = new PreferenceBatcher(perBatch, new int[] {8}, 0).batch(pairs).stream().map(h -> (Tensor) HostOps.of(h)).toList();
    return objective.loss(new HostOps(), MODEL, null, in);
  }

  static double value(Tensor t) {
    return HostOps.host(t).item();
  }

  @Test
  void spinLogisticLossAndTheOfficialMetricsMatchPlainJava() {
    List<PreferencePair> pairs = pairs(11, 5);
    float beta = 0.1f;
    LossOutput out = run(new SpinObjective(beta, DpoObjective.Loss.SIGMOID), pairs, 8); // 3 padding pairs
    double loss = 0, real = 0, gen = 0, acc = 0, margins = 0, lr = 0, lg = 0;
    for (PreferencePair p : pairs) {
      double pr = logp(p.chosen());
      double pg = logp(p.rejected());
      double h = (pr - p.refChosen()) - (pg - p.refRejected());
      loss += -Math.log(1 / (1 + Math.exp(-beta * h)));
      real += beta * (pr - p.refChosen());
      gen += beta * (pg - p.refRejected());
      acc += h > 0 ? 1 : 0;
      margins += beta * h;
      lr += pr;
      lg += pg;
    }
    int n = pairs.size();
    assertEquals(loss / n, value(out.loss()), 1e-5);
    assertEquals(
        List.of("rewards/real", "rewards/generated", "rewards/accuracies", "rewards/margins", "logps/real", "logps/generated", "pairs"),
        List.copyOf(out.metrics().keySet()));
    assertEquals(real / n, value(out.metrics().get("rewards/real")), 1e-5);
    assertEquals(gen / n, value(out.metrics().get("rewards/generated")), 1e-5);
    assertEquals(acc / n, value(out.metrics().get("rewards/accuracies")), 1e-9);
    assertEquals(margins / n, value(out.metrics().get("rewards/margins")), 1e-5);
    assertEquals(lr / n, value(out.metrics().get("logps/real")), 1e-5);
    assertEquals(lg / n, value(out.metrics().get("logps/generated")), 1e-5);
  }

  @Test
  void hingeLossIsReluOfOneMinusTheScaledMargin() {
    List<PreferencePair> pairs = pairs(12, 4);
    float beta = 2f;
    LossOutput out = run(new SpinObjective(beta, DpoObjective.Loss.HINGE), pairs, 4);
    double loss = 0;
    boolean someClipped = false;
    for (PreferencePair p : pairs) {
      double h = (logp(p.chosen()) - p.refChosen()) - (logp(p.rejected()) - p.refRejected());
      loss += Math.max(0, 1 - beta * h);
      someClipped |= 1 - beta * h < 0;
    }
    assertEquals(loss / pairs.size(), value(out.loss()), 1e-5);
    assertTrue(someClipped || loss > 0, "the case exercises the hinge");
  }

  @Test
  void dpoLogsChosenAndRejected() {
    LossOutput out = run(new DpoObjective(), pairs(13, 2), 2);
    assertTrue(out.metrics().containsKey("rewards/chosen"), out.metrics().keySet().toString());
    assertTrue(out.metrics().containsKey("logps/rejected"), out.metrics().keySet().toString());
  }

  @Test
  void namesDefaultsAndCopies() {
    SpinObjective spin = new SpinObjective();
    assertEquals("spin", spin.name());
    assertEquals(0.1f, spin.beta());
    assertEquals(DpoObjective.Loss.SIGMOID, spin.lossType());
    assertEquals(InputLayout.PREFERENCE_PAIRS, spin.inputLayout());
    SpinObjective hinge = spin.withLoss(DpoObjective.Loss.HINGE).withBeta(0.5f);
    assertEquals("spin", hinge.name());
    assertEquals(0.5f, hinge.beta());
    assertEquals(DpoObjective.Loss.HINGE, hinge.lossType());
    assertEquals("dpo", new DpoObjective().withBeta(0.2f).name());
    assertEquals(DpoObjective.Loss.HINGE, DpoObjective.Loss.parse(" Hinge "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpoObjective.Loss.parse("ipo"));
    assertEquals("unknown loss 'ipo', known: sigmoid, hinge", e.getMessage());
  }

  @Test
  void dpoAndSpinDeclareBetaAndLoss() {
    DpoObjective dpo = new DpoObjective();
    assertEquals(List.of("beta", "loss"), dpo.options().stream().map(o -> o.name()).toList());
    assertEquals("0.1", dpo.options().get(0).defaultValue());
    assertEquals("sigmoid|hinge", dpo.options().get(1).typeName());
    assertEquals("dpo(beta 0.3, hinge)", dpo.withOptions(java.util.Map.of("beta", "0.3", "loss", "HINGE")).toString());
    SpinObjective spin = new SpinObjective().withOptions(java.util.Map.of("beta", "0.5"));
    assertEquals("spin(beta 0.5, sigmoid)", spin.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dpo.withOptions(java.util.Map.of("loss", "ipo")));
    assertEquals("objective 'dpo', option loss: 'ipo' is not one of sigmoid, hinge", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> spin.withOptions(java.util.Map.of("gamma", "1")));
    assertEquals("objective 'spin' has no option 'gamma'; its options: beta, loss", e.getMessage());
  }
}
