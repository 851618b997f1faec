package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.inject.Tandem;
import dev.tandem.api.objective.Objective;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module's objectives are registered one way: {@code provides Objective}, found through ServiceLoader. */
class SpinObjectivesRegistrationTest {
  @Test
  void allThreeObjectivesAreProvidedThroughServiceLoader() {
    java.lang.module.ModuleDescriptor d = SpinObjective.class.getModule().getDescriptor();
    if (d != null) { // a named module (the tests run on the module path)
      Map<String, List<String>> provides = d.provides().stream()
          .collect(Collectors.toMap(p -> p.service(), p -> p.providers()));
      assertEquals(List.of(SpinObjective.class.getName(), DpoObjective.class.getName(), SimpoObjective.class.getName()),
          provides.get(Objective.class.getName()));
      assertTrue(!provides.containsKey("dev.tandem.api.inject.TandemPlugin"), "no second registration path: " + provides);
    }
    Tandem tandem = Tandem.create();
    assertInstanceOf(SpinObjective.class, tandem.objective("spin"));
    assertInstanceOf(DpoObjective.class, tandem.objective("dpo"));
    assertInstanceOf(SimpoObjective.class, tandem.objective("simpo"));
    assertTrue(tandem.objectives().containsKey("sft"));
    // without discovery, an embedder registers them on the builder
    Tandem explicit = Tandem.builder().discover(false).objective(new SpinObjective()).build();
    assertEquals("spin", explicit.objective("spin").name());
  }
}
