package dev.tandem.it;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineRegistry;
import java.util.List;
import java.util.stream.Stream;

/** The engines on the test class path, for parameterised tests: every experiment runs on each. */
public final class AllEngines {
  private AllEngines() {}

  /**
   * Names of the available engines (a test source for {@code @MethodSource}); {@code
   * -Dtandem.it.engines=a,b} keeps only those (to rerun one engine's experiments).
   */
  public static Stream<String> names() {
    String only = System.getProperty("tandem.it.engines", "").strip();
    List<String> names =
        EngineRegistry.fromServiceLoader().providers().stream()
            .filter(p -> p.availability().available())
            .map(EngineProvider::name)
            .filter(n -> only.isEmpty() || List.of(only.split(",")).contains(n))
            .toList();
    if (names.isEmpty()) {
      throw new IllegalStateException("no engine available on the test class path");
    }
    return names.stream();
  }

  /** Creates the named engine with one intra-op thread (tests share two cores). */
  public static Engine create(String name) {
    return EngineRegistry.fromServiceLoader().find(name).orElseThrow().create(new EngineOptions("cpu", 1));
  }
}
