package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.train.MetricsLog;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.SpinReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SPIN paper's experiment at small scale, as {@code tandem demo spin} runs it (SFT, SPIN
 * iterations, continued SFT, on addition and WordNet definitions), reduced to 2 iterations and
 * 400 training examples per task, on DJL (see {@link AllEngines#preferDjl()}). What it asserts is
 * what held over 5 seeds and 1 and 2 threads: on held-out WordNet definitions, iteration 1's
 * implicit reward prefers the human response to the opponent's more often than chance, and the
 * human responses' NLL stays within a small margin of the SFT start. Exact match on addition is
 * reported, not asserted: at this size it lands anywhere between seeds and summation orders.
 * SPIN's math is checked against plain Java on every engine in {@link SpinObjectiveIT}.
 */
class SpinDemoIT {
  // SPREAD (filled in from the measured runs)
  static final double MIN_HELD_OUT_ACCURACY = 0.55;
  static final double MAX_NLL_RISE = 0.10;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#preferDjl")
  void iterationOneTellsHumanFromGeneratedOnHeldOutData(String engine) throws Exception {
    long t0 = System.nanoTime();
    Cli demo = Cli.run("demo", "spin", "--engine", engine, "--threads", AllEngines.THREADS, "--output", dir.toString(),
        "--iterations", "2", "--train-examples", "400", "--held-out-examples", "100");
    double minutes = (System.nanoTime() - t0) / 60e9;
    assertEquals(0, demo.exit(), demo.toString());
    CliCommandsIT.assertRanOn(engine, demo.err(), "demo spin");
    System.out.println(demo.out());
    System.out.printf("SpinDemoIT: %s took %.1f min%n", engine, minutes);
    assertTrue(minutes < 10, "the experiment must finish in under 10 minutes, took " + minutes);

    SpinReport report = SpinReport.read(dir.resolve(SpinReport.FILE));
    assertEquals(List.of("addition", "wordnet"), report.tasks().stream().map(SpinReport.Task::task).toList());
    List<String> stages = List.of("sft", "iter0", "iter1", "continued_sft");
    for (SpinReport.Task task : report.tasks()) {
      assertEquals(stages, task.stages().stream().map(SpinReport.Stage::stage).toList(), task.task());
      for (SpinReport.Stage s : task.stages()) {
        assertNotNull(s.devNll(), task.task() + " " + s);
        if (s.stage().equals("sft")) {
          assertNull(s.rewardsAccuracies(), "no opponent before SPIN: " + s);
        } else {
          assertNotNull(s.rewardsAccuracies(), task.task() + " " + s);
        }
      }
      List<Map<String, Object>> lines = MetricsLog.read(dir.resolve(task.task()).resolve("spin").resolve(SelfPlay.METRICS));
      assertEquals(3, lines.size(), "the start and 2 iterations");
      for (Map<String, Object> l : lines.subList(1, 3)) {
        assertTrue(((Number) l.get("generated_tokens_per_second")).doubleValue() > 0, l.toString());
      }
    }
    SpinReport.Task addition = report.tasks().get(0);
    addition.stages().forEach(s -> assertNotNull(s.exactMatch(), "addition has exact answers: " + s));
    report.tasks().get(1).stages().forEach(s -> assertNull(s.exactMatch(), "exact match does not apply to definitions: " + s));
    SpinReport.Task wordnet = report.tasks().get(1);
    SpinReport.Stage sft = wordnet.stages().get(0);
    SpinReport.Stage iter1 = wordnet.stages().get(2);
    assertTrue(iter1.rewardsAccuracies() >= MIN_HELD_OUT_ACCURACY,
        "iteration 1 tells held-out human definitions from its opponent's: " + iter1.rewardsAccuracies() + "\n" + report.table());
    assertTrue(iter1.devNll() - sft.devNll() <= MAX_NLL_RISE,
        "iteration 1 keeps the human definitions' NLL near the SFT start: " + sft.devNll() + " -> " + iter1.devNll() + "\n" + report.table());
    assertTrue(Files.size(dir.resolve("spin_report.png")) > 1000);
    assertTrue(demo.out().contains("continued SFT"), demo.out());
  }
}
