package dev.tandem.api.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineRegistryTest {
  record Fake(String name, int rank, Availability availability) implements EngineProvider {
    @Override
    public Engine create(EngineOptions options) {
      throw new UnsupportedOperationException();
    }
  }

  private final Fake a = new Fake("a", 20, Availability.available(List.of("cpu")));
  private final Fake b = new Fake("b", 10, Availability.unavailable("libfoo.so not found"));
  private final Fake c = new Fake("c", 30, Availability.available(List.of("cpu")));
  private final EngineRegistry reg = new EngineRegistry(List.of(c, a, b));

  @Test
  void flagBeatsEnvironmentBeatsRank() {
    assertEquals("c", reg.select("c", Map.of(EngineRegistry.ENV, "a")).name());
    assertEquals("c", reg.select(null, Map.of(EngineRegistry.ENV, "c")).name());
    assertEquals("a", reg.select(null, Map.of()).name(), "lowest-ranked available engine");
    assertEquals(List.of("b", "a", "c"), reg.providers().stream().map(EngineProvider::name).toList());
  }

  @Test
  void unavailableEngineSaysWhyAndUnknownListsKnown() {
    var e = assertThrows(EngineUnavailableException.class, () -> reg.select("b", Map.of()));
    assertTrue(e.getMessage().contains("libfoo.so not found"), e.getMessage());
    var u = assertThrows(EngineUnavailableException.class, () -> reg.select("tpu", Map.of()));
    assertTrue(u.getMessage().contains("known: b, a, c"), u.getMessage());
    var none = assertThrows(EngineUnavailableException.class, () -> new EngineRegistry(List.of(b)).select(null, Map.of()));
    assertTrue(none.getMessage().contains("b: libfoo.so not found"), none.getMessage());
  }
}
