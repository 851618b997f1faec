package dev.tandem.api.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import dev.tandem.api.testing.HostOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The optimizer's side of the fused-update hook: each built-in optimizer calls the kernel that
 * computes its own update with its own hyperparameters (AdamW also says which parameters decay);
 * any other optimizer, and any kernel an engine lacks, answers empty.
 */
class FusedUpdateHookTest {
  private static final Tensor MATRIX = HostOps.of(HostTensor.zeros(2, 3));
  private static final Tensor VECTOR = HostOps.of(HostTensor.zeros(3));

  /** Records every kernel call; answers a fixed norm. */
  private static final class Recording implements FusedKernels {
    final List<String> calls = new ArrayList<>();
    boolean[] decay;
    float[] hyper;
    List<Tensor> m;
    List<Tensor> v;

    @Override
    public OptionalDouble adamW(
        FusedStep step, List<Tensor> m, List<Tensor> v, boolean[] decay, float beta1, float beta2, float eps, float wd) {
      calls.add("adamw");
      this.m = m;
      this.v = v;
      this.decay = decay;
      this.hyper = new float[] {beta1, beta2, eps, wd};
      return OptionalDouble.of(1.5);
    }

    @Override
    public OptionalDouble rmsProp(FusedStep step, List<Tensor> v, float alpha, float eps, float wd) {
      calls.add("rmsprop");
      this.v = v;
      this.hyper = new float[] {alpha, eps, wd};
      return OptionalDouble.of(2.5);
    }

    @Override
    public OptionalDouble sgd(FusedStep step) {
      calls.add("sgd");
      return OptionalDouble.of(3.5);
    }
  }

  private static FusedStep step(String... stateNames) {
    List<Tensor> params = List.of(MATRIX, VECTOR);
    List<Tensor> grads = List.of(HostOps.of(HostTensor.zeros(2, 3)), HostOps.of(HostTensor.zeros(3)));
    Map<String, List<Tensor>> state = new java.util.LinkedHashMap<>();
    for (String s : stateNames) {
      state.put(s, List.of(HostOps.of(HostTensor.zeros(2, 3)), HostOps.of(HostTensor.zeros(3))));
    }
    return new FusedStep(params, grads, state, 0.01f, 4, 1f);
  }

  @Test
  void adamWPassesItsHyperparametersAndDecaysMatricesOnly() {
    Recording k = new Recording();
    FusedStep s = step("m", "v");
    OptionalDouble norm = new AdamW(0.8f, 0.95f, 1e-6f, 0.1f).applyFused(k, s);
    assertEquals(1.5, norm.getAsDouble());
    assertEquals(List.of("adamw"), k.calls);
    assertArrayEquals(new boolean[] {true, false}, k.decay);
    assertArrayEquals(new float[] {0.8f, 0.95f, 1e-6f, 0.1f}, k.hyper);
    assertSame(s.state("m"), k.m);
    assertSame(s.state("v"), k.v);
  }

  @Test
  void adamWWithoutDecayDecaysNothing() {
    Recording k = new Recording();
    AdamW.defaults().applyFused(k, step("m", "v"));
    assertArrayEquals(new boolean[] {false, false}, k.decay);
  }

  @Test
  void rmsPropAndSgdCallTheirKernels() {
    Recording k = new Recording();
    assertEquals(2.5, new RmsProp(0.9f, 1e-6f, 0.01f).applyFused(k, step("v")).getAsDouble());
    assertArrayEquals(new float[] {0.9f, 1e-6f, 0.01f}, k.hyper);
    assertEquals(3.5, new Sgd().applyFused(k, step()).getAsDouble());
    assertEquals(List.of("rmsprop", "sgd"), k.calls);
  }

  @Test
  void anEngineWithoutAKernelAnswersEmpty() {
    FusedKernels none = new FusedKernels() {};
    assertFalse(AdamW.defaults().applyFused(none, step("m", "v")).isPresent());
    assertFalse(RmsProp.defaults().applyFused(none, step("v")).isPresent());
    assertFalse(new Sgd().applyFused(none, step()).isPresent());
  }

  @Test
  void aThirdPartyOptimizerKeepsTheOpByOpPathByDefault() {
    Optimizer custom =
        new Optimizer() {
          @Override
          public String name() {
            return "custom";
          }

          @Override
          public List<String> stateNames() {
            return List.of();
          }

          @Override
          public Map<String, Tensor> update(
              TensorOps ops, Tensor p, Tensor g, Map<String, Tensor> s, Tensor lr, Tensor step) {
            return Map.of("param", p);
          }
        };
    Recording k = new Recording();
    assertFalse(custom.applyFused(k, step()).isPresent());
    assertTrue(k.calls.isEmpty(), "the engine's kernels are not called for an optimizer that takes none");
  }

  @Test
  void aStepChecksThatItsListsAreParallel() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new FusedStep(List.of(MATRIX, VECTOR), List.of(MATRIX), Map.of(), 0.1f, 1, 0f));
    assertThrows(
        IllegalArgumentException.class,
        () -> new FusedStep(List.of(MATRIX), List.of(MATRIX), Map.of("m", List.of()), 0.1f, 1, 0f));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step("m").state("v"));
    assertTrue(e.getMessage().contains("[m]"), e.getMessage());
  }
}
