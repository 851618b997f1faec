package dev.tandem.api.inject;

import com.google.inject.Module;

/**
 * A plugin's contribution to the Guice injector, found through {@link java.util.ServiceLoader}
 * ({@code provides dev.tandem.api.inject.TandemPlugin with ...}): bindings of the plugin's own
 * types, reached through {@link Tandem#injector()}. Objectives, experiments, workflows and
 * composition strategies are not registered here: each has one registration path, its own {@code
 * provides} clause (see {@link PluginLayers}).
 */
public interface TandemPlugin {
  /** A short name for logs, e.g. {@code spin}. */
  String name();

  /** The bindings this plugin adds. */
  Module module();
}
