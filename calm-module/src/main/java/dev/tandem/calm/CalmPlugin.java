package dev.tandem.calm;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.tandem.api.inject.Registries;
import dev.tandem.api.inject.TandemPlugin;

/**
 * The CALM plugin, found through {@link java.util.ServiceLoader}: registers the {@code calm} and
 * {@code lora} composition strategies with the Guice registry.
 */
public final class CalmPlugin implements TandemPlugin {
  @Override
  public String name() {
    return "calm";
  }

  @Override
  public Module module() {
    return new AbstractModule() {
      @Override
      protected void configure() {
        var m = Registries.compositions(binder());
        m.addBinding(CalmStrategy.NAME).toInstance(new CalmStrategy());
        m.addBinding(LoraStrategy.NAME).toInstance(new LoraStrategy());
      }
    };
  }
}
