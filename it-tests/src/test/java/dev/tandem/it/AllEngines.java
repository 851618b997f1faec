package dev.tandem.it;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineRegistry;
import java.util.List;
import java.util.stream.Stream;

/** The engines on the test class path, for parameterised tests: every experiment runs on each. */
public final class AllEngines {
  /**
   * Intra-op threads of every engine and command the it-tests run ({@code --threads} and {@code
   * OMP_NUM_THREADS}): 1, or {@code -Dtandem.it.threads=N}. A different count sums in a different
   * order, so the experiment tests must hold at 1 and at 2 (see their comments for the spread).
   */
  public static final String THREADS = Integer.toString(threads());

  private AllEngines() {}

  private static int threads() {
    String v = System.getProperty("tandem.it.threads", "1").strip();
    try {
      int n = Integer.parseInt(v);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("-Dtandem.it.threads must be a positive integer, not '" + v + "'");
  }

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

  /**
   * The engine of the experiment tests (a test source for {@code @MethodSource}): DJL when it is
   * available, else the first of {@link #names()}. The experiments are engine-neutral code whose
   * parts are checked on every engine (conformance, {@code ParityIT}, {@code CompositionIT}, {@code
   * SpinObjectiveIT}); running them end to end on one engine keeps {@code mvn verify} under 15
   * minutes on two cores. {@code -Dtandem.it.engines=tensorflow} runs them on TensorFlow.
   */
  public static Stream<String> preferDjl() {
    List<String> names = names().toList();
    return Stream.of(names.contains("djl") ? "djl" : names.get(0));
  }

  /** Creates the named engine with {@link #THREADS} intra-op threads (1 unless told otherwise: tests share two cores). */
  public static Engine create(String name) {
    return EngineRegistry.fromServiceLoader().find(name).orElseThrow().create(new EngineOptions("cpu", Integer.parseInt(THREADS)));
  }
}
