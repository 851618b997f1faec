package dev.tandem.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineRegistry;
import dev.tandem.api.engine.EngineUnavailableException;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DjlEngineProviderTest {
  private final DjlEngineProvider provider = new DjlEngineProvider();

  @Test
  void describesItself() {
    assertEquals("djl", provider.name());
    assertEquals(10, provider.rank());
    Availability a = provider.availability();
    assertTrue(a.available(), a.reason());
    assertTrue(a.devices().contains("cpu"), a.devices().toString());
    assertEquals("linux-x86_64", DjlEngineProvider.platform());
  }

  @Test
  void isFoundByTheServiceLoader() {
    EngineRegistry registry = EngineRegistry.fromServiceLoader();
    assertInstanceOf(DjlEngineProvider.class, registry.select("djl", Map.of()));
  }

  @Test
  void autoPicksTheCpuHereAndGpuIsAClearError() {
    try (Engine e = provider.create(new EngineOptions("auto", 0))) {
      assertEquals("djl", e.name());
      assertEquals("cpu", e.device());
    }
    if (!provider.availability().devices().stream().anyMatch(d -> d.startsWith("gpu"))) {
      EngineUnavailableException ex =
          assertThrows(
              EngineUnavailableException.class, () -> provider.create(new EngineOptions("gpu", 0)));
      assertTrue(ex.getMessage().contains("gpu"), ex.getMessage());
    }
  }

  @Test
  void setsTheThreadCount() {
    int before;
    try (Engine e = provider.create(new EngineOptions("cpu", 0))) {
      before = JniUtils.getNumThreads();
    }
    try (Engine e = provider.create(new EngineOptions("cpu", 2))) {
      assertEquals(2, JniUtils.getNumThreads());
    } finally {
      JniUtils.setNumThreads(before);
    }
  }

  @Test
  void rejectsForeignTensorsAndUseAfterClose() {
    Engine a = provider.create(new EngineOptions("cpu", 1));
    try (Engine b = provider.create(new EngineOptions("cpu", 1));
        Tensor t = b.upload(HostTensor.scalar(1))) {
      assertThrows(IllegalArgumentException.class, () -> a.download(t));
      assertThrows(IllegalArgumentException.class, () -> a.eagerOps().neg(t));
    }
    a.close();
    assertThrows(IllegalStateException.class, () -> a.upload(HostTensor.scalar(1)));
  }
}
