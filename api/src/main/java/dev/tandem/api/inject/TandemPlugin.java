package dev.tandem.api.inject;

import com.google.inject.Module;

/**
 * A plugin's contribution to the Guice injector, found through {@link java.util.ServiceLoader}
 * ({@code provides dev.tandem.api.inject.TandemPlugin with ...}). Its module typically adds to the
 * registries with {@link Registries#objectives(com.google.inject.Binder)} and friends.
 */
public interface TandemPlugin {
  /** A short name for logs, e.g. {@code spin}. */
  String name();

  /** The bindings this plugin adds. */
  Module module();
}
