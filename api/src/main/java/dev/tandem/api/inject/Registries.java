package dev.tandem.api.inject;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.objective.Objective;

/**
 * The named registries, as Guice {@link MapBinder}s. Engines are open to any module; objectives and
 * composition strategies are registered only through {@link java.util.ServiceLoader} (or {@link
 * Tandem.Builder#objective} and {@link Tandem.Builder#composition} without discovery), so their
 * maps are filled by {@link CoreModule} alone.
 */
public final class Registries {
  private Registries() {}

  /** Engines by name. */
  public static MapBinder<String, EngineProvider> engines(Binder binder) {
    return MapBinder.newMapBinder(binder, String.class, EngineProvider.class).permitDuplicates();
  }

  /** Objectives by name: what {@link java.util.ServiceLoader} found, bound by {@link CoreModule}; read them with {@link Tandem#objectives()}. */
  static MapBinder<String, Objective> objectives(Binder binder) {
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
