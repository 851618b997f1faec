package dev.tandem.api.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineRegistry;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The framework's own bindings: the registries of engines, objectives and composition strategies (filled from the given
 * providers, which the facade finds through {@link java.util.ServiceLoader}), the built-in SFT
 * objective, the default tokenizer for new models, and the {@link TrainingListener} that trainers
 * created through {@link Tandem#trainer} report to (by default one that ignores everything).
 *
 * <p>An embedder replaces any of these with {@link Tandem.Builder#override}, e.g. {@code
 * bind(TrainingListener.class).toInstance(mySink)} to receive every step's loss.
 */
public final class CoreModule extends AbstractModule {
  private final List<EngineProvider> engines;
  private final List<Objective> objectives;
  private final List<CompositionStrategy> compositions;

  /**
   * @param engines engine providers to register
   * @param objectives objectives besides SFT to register (e.g. third-party ones)
   */
  public CoreModule(List<EngineProvider> engines, List<Objective> objectives) {
    this(engines, objectives, List.of());
  }

  /**
   * @param engines engine providers to register
   * @param objectives objectives besides SFT to register (e.g. third-party ones)
   * @param compositions composition strategies to register: those {@link java.util.ServiceLoader}
   *     found (a plugin's {@code provides dev.tandem.api.compose.CompositionStrategy}, the only way a
   *     plugin registers one) and any given to {@link Tandem.Builder#composition}
   */
  public CoreModule(
      List<EngineProvider> engines, List<Objective> objectives, List<CompositionStrategy> compositions) {
    this.engines = List.copyOf(engines);
    this.objectives = List.copyOf(objectives);
    this.compositions = List.copyOf(compositions);
  }

  @Override
  protected void configure() {
    var e = Registries.engines(binder());
    for (EngineProvider p : engines) {
      e.addBinding(p.name()).toInstance(p);
    }
    var o = Registries.objectives(binder());
    o.addBinding(SftObjective.NAME).toInstance(new SftObjective());
    for (Objective obj : objectives) {
      o.addBinding(obj.name()).toInstance(obj);
    }
    var c = Registries.compositions(binder()); // declared even when empty: the map always exists
    for (CompositionStrategy strategy : compositions) {
      c.addBinding(strategy.name()).toInstance(strategy);
    }
  }

  @Provides
  @Singleton
  EngineRegistry engineRegistry(Map<String, EngineProvider> engines) {
    return new EngineRegistry(new ArrayList<>(engines.values()));
  }

  @Provides
  @Singleton
  Tokenizer defaultTokenizer() {
    return new ByteTokenizer();
  }

  /** Where trainers created by {@link Tandem#trainer} report: nowhere, until an embedder overrides it. */
  @Provides
  @Singleton
  TrainingListener trainingListener() {
    return new TrainingListener() {};
  }
}
