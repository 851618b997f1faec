package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Binder;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.CompositionStrategy;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Composition strategies have one registration path: {@link java.util.ServiceLoader} (a plugin's
 * {@code provides}), or the builder without discovery; the Guice map only exposes what was found.
 */
class CompositionRegistrationTest {
  private record Fake(String name) implements CompositionStrategy {
    @Override
    public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Composition build(List<BaseModel> bases, JsonNode settings) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void theFacadeExposesTheStrategiesItWasGivenOnce() {
    Fake a = new Fake("alpha");
    Tandem t = Tandem.builder().discover(false).composition(a).composition(new Fake("beta")).build();
    assertEquals(List.of("alpha", "beta"), t.compositions().keySet().stream().sorted().toList());
    assertSame(a, t.composition("alpha"));
  }

  @Test
  void withoutStrategiesTheRegistryIsEmptyNotMissing() {
    assertTrue(Tandem.builder().discover(false).build().compositions().isEmpty());
  }

  @Test
  void noModuleCanAddASecondPath() throws Exception {
    var m = Registries.class.getDeclaredMethod("compositions", Binder.class);
    assertFalse(Modifier.isPublic(m.getModifiers()), "the strategies' MapBinder is the facade's own");
  }
}
