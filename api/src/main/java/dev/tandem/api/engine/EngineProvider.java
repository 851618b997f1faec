package dev.tandem.api.engine;

/**
 * The ServiceLoader entry point of an engine ({@code provides dev.tandem.api.engine.EngineProvider
 * with ...} in the engine's {@code module-info.java}). A provider is light: constructing it and
 * calling {@link #name()}, {@link #rank()} and {@link #availability()} must not load native code.
 * The heavy engine is created by {@link #create(EngineOptions)}.
 */
public interface EngineProvider {
  /** The name users select with {@code --engine NAME} or {@code TANDEM_ENGINE}, e.g. {@code djl}. */
  String name();

  /** Preference when no engine is named: the available provider with the lowest rank wins. */
  int rank();

  /**
   * Whether {@link #create} can succeed here, and if not, why (a missing native library, no GPU).
   * Must be cheap and must not throw.
   */
  Availability availability();

  /** Creates the engine, loading native code as needed. */
  Engine create(EngineOptions options);
}
