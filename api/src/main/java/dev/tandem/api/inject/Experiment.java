package dev.tandem.api.inject;

import dev.tandem.api.option.OptionSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An end-to-end experiment a plugin contributes (SPIN's small-scale reproduction, CALM's key-value
 * arithmetic): data, training and evaluation through the {@link dev.tandem.api.inject.Tandem}
 * facade, a report JSON, a plot and a table. Found through {@link java.util.ServiceLoader}, on the
 * module path or in a jar on the plugin path ({@link dev.tandem.api.inject.PluginLayers}); {@code
 * tandem demo} lists every one it finds and runs one by name, its {@link #options()} given as
 * {@code --NAME VALUE} or {@code --option NAME=VALUE}, with no CLI change.
 *
 * <p>To write one: implement this interface with a public no-argument constructor, and declare it
 * in the plugin's {@code module-info.java}:
 *
 * <pre>{@code
 * provides dev.tandem.api.inject.Experiment with org.example.MyExperiment;
 * }</pre>
 *
 * <pre>{@code
 * public final class MyExperiment implements Experiment {
 *   public String name() { return "mine"; }
 *   public String description() { return "MINE: what it measures, in one line"; }
 *   public List<OptionSpec> options() {
 *     return List.of(new OptionSpec("steps", Integer.class, "100", "training steps"));
 *   }
 *   public List<String> reports() { return List.of("mine_report.json", "mine_report.png"); }
 *   public Result run(ExperimentContext ctx) throws Exception {
 *     int steps = ctx.options().getInt("steps");
 *     try (Engine engine = ctx.engine()) {
 *       LoadedModel model = ctx.tandem().loadModel(engine, ..., true);
 *       ctx.out().println("mine: training");          // progress
 *       ...                                           // ctx.tandem().trainer(...), evaluate(...)
 *     }
 *     ...                                             // write the reports into ctx.output()
 *     return new Result(report, plot, table);
 *   }
 *   public String table(Path output) throws IOException { ... } // rebuilt from the report
 * }
 * }</pre>
 *
 * <p>An experiment must be reproducible: every random choice from a seed among its options.
 */
public interface Experiment {
  /** What users type after {@code tandem demo}: lower case, e.g. {@code spin}. */
  String name();

  /**
   * One line: a short title, a colon, what it reproduces, e.g. {@code "SPIN: self-play fine-tuning
   * on addition and WordNet definitions"}.
   */
  String description();

  /** The options it takes, with their defaults (the experiment's default size). */
  default List<OptionSpec> options() {
    return List.of();
  }

  /**
   * The files a finished run leaves in its output directory, the report JSON first: what {@code
   * tandem demo} checks and lists.
   */
  List<String> reports();

  /**
   * Its typical wall time on {@code engine} at the default options on a small machine (2 shared
   * cores, one thread), for time estimates only.
   */
  default int typicalSeconds(String engine) {
    return 60;
  }

  /**
   * Runs the experiment into {@link ExperimentContext#output()}, printing progress on {@link
   * ExperimentContext#out()}, and writes its {@link #reports()}.
   *
   * @throws IllegalArgumentException for a bad option value, naming the option
   */
  Result run(ExperimentContext context) throws Exception;

  /**
   * The results table of a finished run, rebuilt from the report in {@code output} (proof that it
   * landed).
   *
   * @throws IOException if the report is missing or malformed
   */
  String table(Path output) throws IOException;

  /**
   * What a run produced.
   *
   * @param report the report JSON
   * @param plot the plot, or null when none could be drawn
   * @param table the results as a Markdown table (plus any lines that explain it)
   */
  record Result(Path report, Path plot, String table) {}
}
