package dev.tandem.spin;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.tandem.api.inject.Registries;
import dev.tandem.api.inject.TandemPlugin;

/**
 * The SPIN plugin, found through {@link java.util.ServiceLoader}: registers the objectives {@code
 * spin} and {@code dpo} (beta 0.1, logistic loss) by name in the Guice registry, where {@code
 * Tandem.objective(name)} and the CLI find them.
 */
public final class SpinPlugin implements TandemPlugin {
  @Override
  public String name() {
    return "spin";
  }

  @Override
  public Module module() {
    return new AbstractModule() {
      @Override
      protected void configure() {
        var objectives = Registries.objectives(binder());
        objectives.addBinding(SpinObjective.NAME).toInstance(new SpinObjective());
        objectives.addBinding(DpoObjective.NAME).toInstance(new DpoObjective());
      }
    };
  }
}
