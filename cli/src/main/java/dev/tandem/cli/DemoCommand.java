package dev.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.spin.SpinReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem demo}: the main job. Without a subcommand it runs every experiment of the group at
 * its default (small) size, one after the other, each into its own subdirectory of {@code
 * --output}: SPIN ({@code demo spin}) into {@code spin/}, then CALM ({@code demo calm}) into {@code
 * calm/}. It prints a header per stage with an estimate of the time left, the experiments' own
 * progress, then both tables, where the files landed and the total wall time. If an experiment
 * fails the others still run; the command then says which failed and exits 1.
 *
 * <p>To add an experiment: write the subcommand, list it in {@code subcommands} below and in {@link
 * #STAGES}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the end-to-end experiments that reproduce the papers' results at small scale.",
      "Without a subcommand: SPIN, then CALM, at their default sizes, into --output/spin and --output/calm;",
      "prints both tables, where the reports and plots landed and the total time."
    },
    subcommands = {DemoSpinCommand.class, DemoCalmCommand.class})
public final class DemoCommand implements Callable<Integer> {
  /**
   * One experiment of the whole demo: its subcommand, its subdirectory, the files it must leave,
   * and its typical wall time on this project's reference machine (2 shared cores, one thread),
   * used only for the estimate of the time left.
   */
  record Stage(String title, String subcommand, String dir, List<String> reports, Map<String, Integer> typicalSeconds) {
    int typical(String engine) {
      return typicalSeconds.getOrDefault(engine, typicalSeconds.values().stream().mapToInt(Integer::intValue).max().orElse(60));
    }
  }

  static final List<Stage> STAGES =
      List.of(
          new Stage("SPIN: self-play fine-tuning on addition and WordNet definitions", "spin", "spin",
              List.of("spin_report.json", "spin_report.png"), Map.of("djl", 150, "tensorflow", 240)),
          new Stage("CALM: key-value arithmetic, composition against LoRA and full fine-tuning", "calm", "calm",
              List.of("calm_report.json", "calm_report.png"), Map.of("djl", 240, "tensorflow", 600)));

  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = {"--output", "-o"}, defaultValue = "demo-output", description = "Directory for every experiment's data, models, reports and plots (default: ./${DEFAULT-VALUE}).")
  Path output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long t0 = System.nanoTime();
    Files.createDirectories(output);
    String engine = engineName();
    out.printf("demo: %d experiments on engine %s, output in %s%n", STAGES.size(), engine, output.toAbsolutePath().normalize());
    double speed = 1.0; // measured time over typical time, from the stages done so far
    double typicalDone = 0;
    double actualDone = 0;
    Map<Stage, String> failures = new LinkedHashMap<>();
    Map<Stage, Double> seconds = new LinkedHashMap<>();
    for (int i = 0; i < STAGES.size(); i++) {
      Stage s = STAGES.get(i);
      Path dir = output.resolve(s.dir());
      double left = 0;
      for (Stage rest : STAGES.subList(i, STAGES.size())) {
        left += rest.typical(engine) * speed;
      }
      out.printf("%n[%d/%d] %s -> %s%n      estimate: this stage about %s, all that is left about %s%n",
          i + 1, STAGES.size(), s.title(), dir, minutes(s.typical(engine) * speed), minutes(left));
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
      out.printf("[%d/%d] %s: %s in %s; %s elapsed in all%n", i + 1, STAGES.size(), s.subcommand().toUpperCase(Locale.ROOT),
          failures.containsKey(s) ? "FAILED (" + failures.get(s) + ")" : "done", minutes(took), minutes((System.nanoTime() - t0) / 1e9));
      out.flush();
    }

    out.printf("%n==== demo: results (engine %s) ====%n", engine);
    for (Stage s : STAGES) {
      Path dir = output.resolve(s.dir());
      out.printf("%n## %s%n%n", s.title());
      if (failures.containsKey(s)) {
        out.printf("FAILED (%s); see the messages above. Rerun it alone: tandem demo %s --output %s%n", failures.get(s), s.subcommand(), dir);
        continue;
      }
      out.print(table(s, dir));
    }
    out.printf("%nfiles:%n");
    for (Stage s : STAGES) {
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

  /** The table a stage printed, rebuilt from the report it wrote (proof that it landed). */
  static String table(Stage s, Path dir) throws java.io.IOException {
    return switch (s.subcommand()) {
      case "spin" -> SpinReport.read(dir.resolve(SpinReport.FILE)).table();
      case "calm" -> calmTable(dir.resolve("calm_report.json"));
      default -> "";
    };
  }

  private static String calmTable(Path report) throws java.io.IOException {
    JsonNode root = new ObjectMapper().readTree(report.toFile());
    Map<String, Map<String, Double>> accuracy = new LinkedHashMap<>();
    root.get("accuracy").fields().forEachRemaining(task -> {
      Map<String, Double> row = new LinkedHashMap<>();
      task.getValue().fields().forEachRemaining(m -> row.put(m.getKey(), m.getValue().doubleValue()));
      accuracy.put(task.getKey(), row);
    });
    JsonNode inf = root.path("inference");
    return DemoCalmCommand.table(accuracy)
        + String.format(Locale.ROOT, "%ninference time ratios (cached generation): CALM / (m_A + m_B separately) = %s, merged LoRA / m_B = %s%n",
            inf.path("calm_over_separate").asText("?"), inf.path("lora_merged_over_anchor").asText("?"));
  }

  static String minutes(double seconds) {
    long s = Math.round(seconds);
    return s < 60 ? s + " s" : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }
}
