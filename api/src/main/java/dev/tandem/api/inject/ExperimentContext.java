package dev.tandem.api.inject;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What an {@link Experiment} runs with: the facade, the engine the user chose, its option values,
 * its output directory and where progress goes.
 */
public interface ExperimentContext {
  /** The facade: models, data, trainers, evaluation and generation. */
  Tandem tandem();

  /**
   * A new engine as the user chose it ({@code --engine}, {@code --device}, {@code --threads}); the
   * caller closes it.
   */
  default Engine engine() {
    return engine(0);
  }

  /**
   * As {@link #engine()}, with {@code defaultThreads} intra-op threads unless the user chose a
   * number (0: the engine's default). On a shared machine one thread gives stable timings.
   */
  Engine engine(int defaultThreads);

  /**
   * The intra-op threads {@link #engine(int)} gives its engine: the user's {@code --threads} when
   * set, else {@code defaultThreads} (0: the engine's default). Experiments write it into their
   * reports, since the summation order, and so a chaotic run's outcome, depends on it.
   */
  default int threads(int defaultThreads) {
    return defaultThreads;
  }

  /** The experiment's options: every declared one, given or default. */
  OptionValues options();

  /** The directory for its data, models and reports (created by the caller). */
  Path output();

  /** Progress and results for the user. */
  PrintWriter out();

  /**
   * A listener that shows the progress of one training run (a progress bar on a terminal, a line
   * per logged step otherwise), e.g. {@code progress("addition sft")}.
   */
  TrainingListener progress(String task);

  /**
   * A context of these parts.
   *
   * @param engines creates the user's engine, given the default number of threads
   * @param progress a progress listener for a training run, given its name
   */
  static ExperimentContext of(
      Tandem tandem, IntFunction<Engine> engines, OptionValues options, Path output, PrintWriter out, Function<String, TrainingListener> progress) {
    return of(tandem, engines, 0, options, output, out, progress);
  }

  /**
   * As {@link #of(Tandem, IntFunction, OptionValues, Path, PrintWriter, Function)}, with the user's
   * thread count ({@code userThreads}, 0 when not given) for {@link #threads(int)}.
   */
  static ExperimentContext of(
      Tandem tandem,
      IntFunction<Engine> engines,
      int userThreads,
      OptionValues options,
      Path output,
      PrintWriter out,
      Function<String, TrainingListener> progress) {
    return new ExperimentContext() {
      @Override
      public int threads(int defaultThreads) {
        return userThreads > 0 ? userThreads : defaultThreads;
      }

      @Override
      public TrainingListener progress(String task) {
        return progress.apply(task);
      }

      @Override
      public Tandem tandem() {
        return tandem;
      }

      @Override
      public Engine engine(int defaultThreads) {
        return engines.apply(defaultThreads);
      }

      @Override
      public OptionValues options() {
        return options;
      }

      @Override
      public Path output() {
        return output;
      }

      @Override
      public PrintWriter out() {
        return out;
      }
    };
  }
}
