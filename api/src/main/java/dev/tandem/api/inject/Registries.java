package dev.tandem.api.inject;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.objective.Objective;

/** The named registries, as Guice {@link MapBinder}s that any module can add to. */
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

  /** Composition strategies by name. */
  public static MapBinder<String, CompositionStrategy> compositions(Binder binder) {
    return MapBinder.newMapBinder(binder, String.class, CompositionStrategy.class).permitDuplicates();
  }
}
