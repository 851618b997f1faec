package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin path's entries that are not plugins, and the reasons' wording (jars broken in each real way: BrokenPluginsIT). */
class PluginLayersTest {
  @TempDir Path dir;

  @Test
  void entriesThatAreNotPluginsAreSkippedAndTheRestWorks() throws Exception {
    Path missing = dir.resolve("missing.jar");
    Path notAJar = Files.writeString(dir.resolve("notes.jar"), "not a zip");
    Tandem tandem = Tandem.builder().pluginPath(List.of(missing, notAJar)).build();
    List<PluginLayers.Broken> broken = tandem.brokenPlugins();
    assertEquals(2, broken.size(), broken.toString());
    assertEquals(new PluginLayers.Broken(missing, "no such file or directory"), broken.get(0));
    assertEquals(notAJar, broken.get(1).jar());
    assertEquals("warning: plugin " + missing + " skipped: no such file or directory", broken.get(0).warning());
    assertTrue(tandem.objectives().containsKey("sft"), "everything else works");
  }

  @Test
  void aJarThatProvidesNothingOfTandemsIsNamed() throws Exception {
    Path jar = dir.resolve("library.jar");
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), new java.util.jar.Manifest())) {
      out.putNextEntry(new java.util.jar.JarEntry("lib/readme.txt"));
      out.write("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    List<PluginLayers.Broken> broken = Tandem.builder().pluginPath(List.of(jar)).build().brokenPlugins();
    assertEquals(List.of(new PluginLayers.Broken(jar, "provides no Tandem service (dev.tandem.api.objective.Objective, dev.tandem.api.inject.Experiment, "
        + "dev.tandem.api.inject.Workflow, dev.tandem.api.compose.CompositionStrategy, dev.tandem.api.inject.TandemPlugin)")),
        broken);
  }

  @Test
  void anEmptyDirectoryHoldsNoPlugins() {
    assertEquals(List.of(), Tandem.builder().pluginPath(List.of(dir)).build().brokenPlugins());
  }

  @Test
  void aLinkageErrorNamesTheApiVersionTheJarWasBuiltAgainst() {
    String mine = PluginLayers.apiVersion();
    assertEquals("built against tandem-api 0.0.1, this is " + mine + ": AbstractMethodError: gone (in x.Y)",
        PluginLayers.describe(new AbstractMethodError("gone"), "x.Y", "0.0.1"));
    assertEquals("NoSuchMethodError: x.Y.z() (built against another tandem-api? this is " + mine + ")",
        PluginLayers.describe(new NoSuchMethodError("x.Y.z()"), "x.Y", null));
    // the same version, or not a linkage error: just what failed
    assertEquals("AbstractMethodError: gone (in x.Y)", PluginLayers.describe(new AbstractMethodError("gone"), "x.Y", mine));
    assertEquals("IllegalStateException: no key (in the constructor of x.Y)",
        PluginLayers.describe(new ServiceConfigurationError("S: Provider x.Y could not be instantiated", new IllegalStateException("no key")), "x.Y", "0.0.1"));
  }
}
