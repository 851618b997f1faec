package dev.tandem.cli;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.inject.Tandem;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --engine}, {@code --device} and {@code --threads}, shared by every command that computes.
 * Creating the engine prints one line on stderr, {@code engine: NAME (DEVICE, N thread(s))}, so a
 * log always says which engine ran.
 */
public final class EngineOptionsMixin {
  /** The prefix of the line that names the engine a command runs on. */
  static final String ENGINE_LINE = "engine: ";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--engine",
      description = "Engine name (default: $TANDEM_ENGINE, else the best available; see 'tandem engines').")
  String engine;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads, 0 for the engine's default.")
  int threads;

  /** Selects and creates the engine, and says which on stderr. */
  Engine create(Tandem tandem) {
    Engine e = tandem.engine(engine, new EngineOptions(device, threads));
    if (mixee != null) {
      announce(mixee.commandLine().getErr(), e, threads);
    }
    return e;
  }

  /** Prints {@code engine: NAME (DEVICE, N thread(s))} on {@code err}; threads 0: the engine's default. */
  static void announce(java.io.PrintWriter err, Engine e, int threads) {
    String t = threads > 0 ? threads + (threads == 1 ? " thread" : " threads") : "default threads";
    err.printf("%s%s (%s, %s)%n", ENGINE_LINE, e.name(), e.device(), t);
    err.flush();
  }

  /**
   * The engine these options select: {@code --engine}, else {@code TANDEM_ENGINE}, else the best
   * available; null when none is available (the command that creates it then says why).
   */
  String engineName() {
    if (engine != null) {
      return engine;
    }
    try {
      return Tandem.create().engines().select(null, System.getenv()).name();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * These options as arguments for a nested command: the engine resolved once by {@link
   * #engineName()} (so every nested command, {@code bench} included, runs on the same one), and
   * {@code --threads} defaulting to {@code defaultThreads} when not given (on a shared 2-core
   * machine one thread is the safe default: two spinning OpenMP threads under contention made
   * training 10-20x slower).
   */
  List<String> asArgs(int defaultThreads) {
    List<String> a = new ArrayList<>();
    String name = engineName();
    if (name != null) {
      a.addAll(List.of("--engine", name));
    }
    a.addAll(List.of("--device", device));
    a.addAll(List.of("--threads", "" + (threads > 0 ? threads : defaultThreads)));
    return a;
  }
}
