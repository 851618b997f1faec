package dev.tandem.cli;

import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.option.OptionSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem demo}: the main job. Without a subcommand it runs every experiment it finds (each
 * plugin's {@link Experiment}, through {@link java.util.ServiceLoader}) at its default (small) size,
 * one after the other, each into its own subdirectory of {@code --output}: SPIN ({@code demo spin})
 * into {@code spin/}, then CALM ({@code demo calm}) into {@code calm/}, then any other by name. It
 * prints a header per stage with an estimate of the time left, the experiments' own progress, then
 * every table, where the files landed and the total wall time. If an experiment fails the others
 * still run; the command then says which failed and exits 1. {@code tandem demo --list} lists the
 * experiments and their options.
 *
 * <p>To add an experiment: implement {@link Experiment} in a plugin and declare it with {@code
 * provides dev.tandem.api.inject.Experiment with ...}; its subcommand is built from what it
 * declares ({@link ExperimentCommand}).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the end-to-end experiments that reproduce the papers' results at small scale (--list: those found).",
      "Without a subcommand: every experiment found (SPIN, then CALM, then others) at its default size, into --output/NAME;",
      "prints every table, where the reports and plots landed and the total time."
    },
    subcommands = {})
public final class DemoCommand implements Callable<Integer> {
  /**
   * One experiment of the whole demo: its title, its subcommand (also its subdirectory), the files
   * it must leave, its typical wall time by engine (for the estimate of the time left only), and
   * the table rebuilt from its report.
   */
  record Stage(String title, String subcommand, String dir, List<String> reports, ToIntFunction<String> typicalSeconds, Table table) {
    int typical(String engine) {
      return typicalSeconds.applyAsInt(engine);
    }
  }

  /** The table of a finished stage, rebuilt from its report in its directory. */
  @FunctionalInterface
  interface Table {
    String of(Path dir) throws java.io.IOException;
  }

  /** The stages: every experiment found, in {@link ExperimentCommand#ordered} order. */
  static List<Stage> stages(Tandem tandem) {
    List<Stage> out = new ArrayList<>();
    for (Experiment x : ExperimentCommand.ordered(tandem.experiments())) {
      out.add(new Stage(x.description(), x.name(), x.name(), x.reports(), x::typicalSeconds, x::table));
    }
    return out;
  }

  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = {"--output", "-o"}, defaultValue = "demo-output", description = "Directory for every experiment's data, models, reports and plots (default: ./${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--list", description = "List the experiments found and their options, and exit.")
  boolean list;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Tandem tandem = Tandem.create();
    if (list) {
      list(tandem, out);
      return 0;
    }
    List<Stage> all = stages(tandem);
    long t0 = System.nanoTime();
    Files.createDirectories(output);
    String engine = engineName();
    out.printf("demo: %d experiments on engine %s, output in %s%n", all.size(), engine, output.toAbsolutePath().normalize());
    double speed = 1.0; // measured time over typical time, from the stages done so far
    double typicalDone = 0;
    double actualDone = 0;
    Map<Stage, String> failures = new LinkedHashMap<>();
    Map<Stage, Double> seconds = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      Stage s = all.get(i);
      Path dir = output.resolve(s.dir());
      double left = 0;
      for (Stage rest : all.subList(i, all.size())) {
        left += rest.typical(engine) * speed;
      }
      out.printf("%n[%d/%d] %s -> %s%n      estimate: this stage about %s, all that is left about %s%n",
          i + 1, all.size(), s.title(), dir, minutes(s.typical(engine) * speed), minutes(left));
      out.flush();
      // a report from an earlier run must not pass for this run's if this one fails
      for (String r : s.reports()) {
        Files.deleteIfExists(dir.resolve(r));
      }
      List<String> args = new ArrayList<>(List.of("demo", s.subcommand(), "--output", dir.toString()));
      args.addAll(engineOptions.asArgs(1));
      long t1 = System.nanoTime();
      int code;
      try {
        code = Main.run(args.toArray(String[]::new), out, err);
      } catch (RuntimeException | Error e) {
        err.println("error: " + Errors.describe(e));
        code = 1;
      }
      double took = (System.nanoTime() - t1) / 1e9;
      seconds.put(s, took);
      if (code != 0) {
        failures.put(s, "exit " + code);
      } else {
        List<String> missing = s.reports().stream().filter(r -> !Files.isRegularFile(dir.resolve(r))).toList();
        if (!missing.isEmpty()) {
          failures.put(s, "no " + String.join(", ", missing) + " in " + dir);
        }
      }
      typicalDone += s.typical(engine);
      actualDone += took;
      speed = actualDone / typicalDone;
      out.printf("[%d/%d] %s: %s in %s; %s elapsed in all%n", i + 1, all.size(), s.subcommand().toUpperCase(Locale.ROOT),
          failures.containsKey(s) ? "FAILED (" + failures.get(s) + ")" : "done", minutes(took), minutes((System.nanoTime() - t0) / 1e9));
      out.flush();
    }

    out.printf("%n==== demo: results (engine %s) ====%n", engine);
    for (Stage s : all) {
      Path dir = output.resolve(s.dir());
      out.printf("%n## %s%n%n", s.title());
      if (failures.containsKey(s)) {
        out.printf("FAILED (%s); see the messages above. Rerun it alone: tandem demo %s --output %s%n", failures.get(s), s.subcommand(), dir);
        continue;
      }
      out.print(s.table().of(dir));
    }
    out.printf("%nfiles:%n");
    for (Stage s : all) {
      Path dir = output.resolve(s.dir()).toAbsolutePath().normalize();
      for (String r : s.reports()) {
        Path f = dir.resolve(r);
        out.printf("  %-18s %s%n", r, Files.isRegularFile(f) ? f : "(missing: " + s.subcommand() + " failed)");
      }
      out.printf("  %-18s %s (%s)%n", s.subcommand() + "/", dir, minutes(seconds.get(s)));
    }
    double total = (System.nanoTime() - t0) / 1e9;
    out.printf("%ndemo: total wall time %s (%.0f s)%n", minutes(total), total);
    out.flush();
    if (!failures.isEmpty()) {
      err.printf("error: demo: %s failed; the results of the others are in %s%n",
          String.join(" and ", failures.keySet().stream().map(s -> s.subcommand().toUpperCase(Locale.ROOT) + " (" + failures.get(s) + ")").toList()), output);
      err.flush();
      return 1;
    }
    return 0;
  }

  /** The engine that will run: --engine, else what the registry selects ($TANDEM_ENGINE, rank). */
  private String engineName() {
    String name = engineOptions.engineName();
    return name != null ? name : "(none available)";
  }

  /** {@code NAME<TAB>DESCRIPTION}, then one indented line per option: {@code   NAME (TYPE, default VALUE): DOC}. */
  private static void list(Tandem tandem, PrintWriter out) {
    for (Experiment x : ExperimentCommand.ordered(tandem.experiments())) {
      out.println(x.name() + "\t" + x.description());
      for (OptionSpec o : x.options()) {
        out.println("  " + o.describe());
      }
    }
    out.flush();
  }

  static String minutes(double seconds) {
    long s = Math.round(seconds);
    return s < 60 ? s + " s" : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }
}
