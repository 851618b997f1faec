package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.inject.Tandem;
import dev.tandem.api.inject.TandemPlugin;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The plugin is found through ServiceLoader and registers its objectives by name with Guice. */
class SpinPluginTest {
  @Test
  void foundByServiceLoaderAndWiredIntoTheRegistry() {
    boolean found = ServiceLoader.load(TandemPlugin.class).stream().anyMatch(p -> p.type() == SpinPlugin.class);
    assertTrue(found, "META-INF/services or module-info provides SpinPlugin");
    Tandem tandem = Tandem.create();
    assertInstanceOf(SpinObjective.class, tandem.objective("spin"));
    assertInstanceOf(DpoObjective.class, tandem.objective("dpo"));
    assertInstanceOf(SimpoObjective.class, tandem.objective("simpo"), "provides Objective / META-INF/services");
    assertTrue(tandem.objectives().containsKey("sft"));
  }

  @Test
  void itsModuleCanBeInstalledExplicitly() {
    Tandem tandem = Tandem.builder().discover(false).module(new SpinPlugin().module()).build();
    assertEquals("spin", tandem.objective("spin").name());
    assertEquals("spin", new SpinPlugin().name());
  }
}
