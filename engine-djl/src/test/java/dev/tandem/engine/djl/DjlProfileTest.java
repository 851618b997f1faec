package dev.tandem.engine.djl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.OpProfile;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import org.junit.jupiter.api.Test;

/** PyTorch's profiler through {@link Engine#profile}: the ops that ran are there, with their calls. */
class DjlProfileTest {
  @Test
  void aProfiledMatmulAppearsWithItsCalls() {
    try (Engine engine = new DjlEngineProvider().create(new EngineOptions("cpu", 1), true)) {
      TensorOps ops = engine.eagerOps();
      Tensor a = engine.upload(HostTensor.zeros(64, 64));
      OpProfile p =
          engine.profile(() -> {
            for (int i = 0; i < 3; i++) {
              engine.download(ops.matmul(a, a));
            }
          }).orElseThrow();
      OpProfile.Op mm = p.ops().stream().filter(o -> o.name().equals("aten::mm") || o.name().equals("aten::matmul")).findFirst().orElseThrow(
          () -> new AssertionError("no matmul in " + p.ops()));
      assertTrue(mm.calls() >= 3, mm.toString());
      assertTrue(p.totalMillis() > 0, p.toString());
    }
  }
}
