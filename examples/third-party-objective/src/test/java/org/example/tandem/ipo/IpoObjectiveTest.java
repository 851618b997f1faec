package org.example.tandem.ipo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.testing.FunctionLM;
import dev.tandem.api.testing.HostOps;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The IPO loss against hand computations, on {@link HostOps}: the api test-jar's plain-Java tensor
 * ops, so no engine is needed. (The it-tests of Tandem run the same objective on every engine.)
 */
class IpoObjectiveTest {
  private static final HostOps OPS = new HostOps();

  private static double[] pairLosses(float beta, double... margins) {
    float[] m = new float[margins.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) margins[i];
    }
    Tensor out = new IpoObjective(beta).pairLosses(OPS, OPS.constant(HostTensor.of(m, m.length)));
    return HostOps.host(out).values();
  }

  @Test
  void pairLossIsTheSquaredDistanceOfTheMarginFromOneOverTwoBeta() {
    // beta 0.1: the target margin is 1 / 0.2 = 5
    assertArrayEquals(new double[] {49, 25, 20.25, 0, 4}, pairLosses(0.1f, -2, 0, 0.5, 5, 7), 1e-5);
    // beta 0.5: the target is 1; at h = 0 (the policy is the reference) the loss is 1
    assertArrayEquals(new double[] {1, 0, 0.25, 4}, pairLosses(0.5f, 0, 1, 1.5, -1), 1e-6);
  }

  /**
   * The whole loss through {@link dev.tandem.api.objective.PreferenceObjective#loss}: a model with
   * all-zero logits over 4 tokens gives every completion token log-prob {@code -ln 4}, so the
   * reference log-probs set each pair's margin; the padding pair of the short batch is ignored.
   */
  @Test
  void lossIsTheMeanOverRealPairsOfTheUnscaledMargin() {
    double ln4 = Math.log(4);
    int[] prompt = {1, 2};
    // pair 1: chosen 2 tokens, rejected 3; the reference makes h = (-2 ln4 - r_c) - (-3 ln4 - r_r) = 1
    PreferencePair one =
        PreferencePair.of(Example.of(prompt, new int[] {3, 0}, "c1"), Example.of(prompt, new int[] {1, 1, 2}, "r1"))
            .withReference((float) (-2 * ln4 - 1), (float) (-3 * ln4));
    // pair 2: both 1 token; h = 0 - (-4) = 4
    PreferencePair two =
        PreferencePair.of(Example.of(prompt, new int[] {2}, "c2"), Example.of(prompt, new int[] {3}, "r2"))
            .withReference((float) -ln4, (float) (-ln4 + 4));
    List<Tensor> batch =
        new PreferenceBatcher(3, new int[] {8}, 0).batch(List.of(one, two)).stream().map(h -> (Tensor) HostOps.of(h)).toList();

    LossOutput out = new IpoObjective(0.25f).loss(OPS, FunctionLM.uniform(4), null, batch);

    // beta 0.25: target 2; losses (1 - 2)^2 = 1 and (4 - 2)^2 = 4; mean over the 2 real pairs
    assertEquals(2.5, value(out.loss()), 1e-5);
    assertEquals(2, value(out.metrics().get("pairs")), 0);
    assertEquals(0.25 * (1 + 4) / 2, value(out.metrics().get("rewards/margins")), 1e-5);
    assertEquals(1, value(out.metrics().get("rewards/accuracies")), 0);
  }

  @Test
  void withBetaMakesANewObjectiveAndBetaMustBePositive() {
    IpoObjective base = new IpoObjective();
    IpoObjective other = base.withBeta(0.5f);
    assertNotSame(base, other);
    assertEquals(0.1f, base.beta());
    assertEquals(0.5f, other.beta());
    assertEquals("ipo(beta 0.5)", other.toString());
    assertThrows(IllegalArgumentException.class, () -> base.withBeta(0f));
  }

  /** Its option, as {@code tandem objectives} lists it and {@code --option beta=B} sets it. */
  @Test
  void declaresBetaAsAnOption() {
    IpoObjective ipo = new IpoObjective();
    assertEquals(1, ipo.options().size());
    assertEquals("beta", ipo.options().get(0).name());
    assertEquals("0.1", ipo.options().get(0).defaultValue());
    assertEquals("ipo(beta 0.5)", ipo.withOptions(java.util.Map.of("beta", "0.5")).toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ipo.withOptions(java.util.Map.of("tau", "0.5")));
    assertEquals("objective 'ipo' has no option 'tau'; its options: beta", e.getMessage());
  }

  /** On the class path, META-INF/services registers it (on the module path, module-info does). */
  @Test
  void serviceLoaderFindsItByName() {
    Objective found =
        ServiceLoader.load(Objective.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(o -> o.name().equals("ipo"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("ipo not found by ServiceLoader"));
    assertEquals(IpoObjective.class, found.getClass());
  }

  private static double value(Tensor t) {
    return HostOps.host(t).item();
  }
}
