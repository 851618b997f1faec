package dev.tandem.cli;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.inject.Tandem;
import picocli.CommandLine.Option;

/** {@code --engine}, {@code --device} and {@code --threads}, shared by every command that computes. */
public final class EngineOptionsMixin {
  @Option(
      names = "--engine",
      description = "Engine name (default: $TANDEM_ENGINE, else the best available; see 'tandem engines').")
  String engine;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads, 0 for the engine's default.")
  int threads;

  /** Selects and creates the engine. */
  Engine create(Tandem tandem) {
    return tandem.engine(engine, new EngineOptions(device, threads));
  }
}
