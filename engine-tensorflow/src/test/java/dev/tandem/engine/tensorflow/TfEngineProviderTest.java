package dev.tandem.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineRegistry;
import dev.tandem.api.engine.EngineUnavailableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TfEngineProviderTest {
  @Test
  void isFoundByTheServiceLoaderWithItsNameAndRank() {
    EngineRegistry registry = EngineRegistry.fromServiceLoader();
    TfEngineProvider p = (TfEngineProvider) registry.find("tensorflow").orElseThrow();
    assertEquals(20, p.rank());
    assertEquals(p, registry.select("tensorflow", Map.of()));
  }

  @Test
  void isAvailableOnTheCpuHere() {
    Availability a = new TfEngineProvider().availability();
    assertTrue(a.available(), a.reason());
    assertEquals(List.of("cpu"), a.devices());
  }

  @Test
  void createsCpuEnginesAndRefusesAMissingGpu() {
    TfEngineProvider p = new TfEngineProvider();
    try (Engine auto = p.create(EngineOptions.defaults()); Engine cpu = p.create(new EngineOptions("cpu", 2))) {
      assertEquals("tensorflow", auto.name());
      assertEquals("cpu", auto.device());
      assertEquals("cpu", cpu.device());
    }
    EngineUnavailableException e =
        assertThrows(EngineUnavailableException.class, () -> p.create(new EngineOptions("gpu", 0)));
    assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
    assertTrue(e.getMessage().contains("tensorflow-core-native-1.1.0-linux-x86_64.jar"), e.getMessage());
  }

  @Test
  void grapplerIsOffUnlessAskedFor() {
    EngineOptions o = new EngineOptions("cpu", 2);
    for (boolean xla : new boolean[] {false, true}) {
      assertTrue(TfEngineProvider.config(o, false, xla, false).getGraphOptions().getRewriteOptions().getDisableMetaOptimizer(),
          "Grappler cost 0.25-0.5 GB of training peak at SmolLM2's shape and ~14 s before a first step (TfEngineProvider.config)");
      assertFalse(TfEngineProvider.config(o, false, xla, true).getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
      assertEquals(xla, TfEngineProvider.config(o, false, xla, false).getGraphOptions().getOptimizerOptions().getCpuGlobalJit());
    }
    String old = System.getProperty(TfEngineProvider.GRAPPLER_PROPERTY);
    try {
      for (String on : new String[] {"true", " on ", "1"}) {
        System.setProperty(TfEngineProvider.GRAPPLER_PROPERTY, on);
        assertTrue(TfEngineProvider.grapplerEnabled(), on);
      }
      System.setProperty(TfEngineProvider.GRAPPLER_PROPERTY, "false");
      assertFalse(TfEngineProvider.grapplerEnabled());
      if (System.getenv(TfEngineProvider.GRAPPLER_ENV) == null) {
        System.clearProperty(TfEngineProvider.GRAPPLER_PROPERTY);
        assertFalse(TfEngineProvider.grapplerEnabled(), "off by default");
        try (TfEngine e = (TfEngine) new TfEngineProvider().create(o)) {
          assertTrue(e.config().getGraphOptions().getRewriteOptions().getDisableMetaOptimizer(),
              "an engine made by create(options) runs without Grappler");
        }
      }
    } finally {
      restore(TfEngineProvider.GRAPPLER_PROPERTY, old);
    }
  }

  @Test
  void closedEnginesSaySo() {
    Engine e = new TfEngineProvider().create(new EngineOptions("cpu", 1));
    e.close();
    e.close();
    IllegalStateException x = assertThrows(IllegalStateException.class,
        () -> e.upload(dev.tandem.api.tensor.HostTensor.scalar(1f)));
    assertTrue(x.getMessage().contains("closed"), x.getMessage());
  }

  @Test
  void theNativeCacheDirectoryCanBeChosen() {
    String old = System.getProperty(TfNatives.CACHE_PROPERTY);
    String oldJavacpp = System.getProperty("org.bytedeco.javacpp.cachedir");
    try {
      System.setProperty(TfNatives.CACHE_PROPERTY, "/tmp/tandem-tf-cache-test");
      assertEquals(java.nio.file.Path.of("/tmp/tandem-tf-cache-test"), TfNatives.cacheDir());
      assertEquals("/tmp/tandem-tf-cache-test", System.getProperty("org.bytedeco.javacpp.cachedir"));
    } finally {
      restore(TfNatives.CACHE_PROPERTY, old);
      restore("org.bytedeco.javacpp.cachedir", oldJavacpp);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
