package dev.tandem.api.inject;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.objective.Objective;

/**
 * The named registries, as Guice {@link MapBinder}s. Engines and objectives are open to any module;
 * composition strategies are registered only through {@link java.util.ServiceLoader} (or {@link
 * Tandem.Builder#composition} without discovery), so their map is filled by {@link CoreModule} alone.
 */
public final class Registries {
  private Registries() {}

  /** Engines by name. */
  public static MapBinder<String, EngineProvider> engines(Binder binder) {
    return MapBinder.newMapBinder(binder, String.class, EngineProvider.class).permitDuplicates();
  }

  /** Objectives by name. */
  public static MapBinder<String, Objective> objectives(Binder binder) {
    return MapBinder.newMapBinder(binder, String.class, Objective.class).permitDuplicates();
  }

  /**
   * Composition strategies by name: what {@link java.util.ServiceLoader} found, bound by {@link
   * CoreModule}; read them with {@link Tandem#compositions()}.
   */
  static MapBinder<String, CompositionStrategy> compositions(Binder binder) {
    return MapBinder.newMapBinder(binder, String.class, CompositionStrategy.class).permitDuplicates();
  }
}
