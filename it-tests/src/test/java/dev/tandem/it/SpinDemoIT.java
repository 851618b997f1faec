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
 * iterations, continued SFT, on addition and WordNet definitions), reduced to 2 iterations (iter0,
 * iter1) and 400 training examples per task, on DJL (see {@link AllEngines#preferDjl()}). It
 * asserts what held over 5 seeds and 1 and 2 threads, not one run's numbers: on held-out prompts,
 * iter1's implicit reward prefers the human response to its opponent's more often than chance
 * (mean over the two tasks), and the human definitions' NLL stays near the SFT start. Exact match
 * on addition is reported, not asserted: at this size it lands anywhere between seeds and
 * summation orders (and iter1 fell below the SFT start in 9 of the 10 runs below). SPIN's math is
 * checked against plain Java on every engine in {@link SpinObjectiveIT}.
 */
class SpinDemoIT {
  // The spread behind the thresholds: `./tandem demo spin --engine djl --threads T --iterations 2
  // --train-examples 400 --held-out-examples 100 --seed S`, S = 1..5, T = 1 and 2 (10 runs):
  //   iter1 held-out rewards accuracy, seeds 1..5, each "addition wordnet mean-of-the-two":
  //     T=1: 0.79 0.64 0.71 | 0.96 0.69 0.83 | 0.67 0.84 0.76 | 0.82 0.62 0.72 | 0.89 0.58 0.73
  //     T=2: 0.57 0.62 0.60 | 0.69 0.64 0.66 | 0.71 0.61 0.66 | 0.76 0.56 0.66 | 0.77 0.62 0.70
  //   mean over the tasks: min 0.60, mean 0.70 (threshold 0.55; chance is 0.50)
  //   wordnet NLL, iter1 - SFT: +0.007 to +0.038 (threshold +0.10)
  //   addition exact match, SFT -> iter1: 0.13-0.79 -> 0.15-0.77, lower in 9 of 10 runs (not asserted)
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
    // iter1, the second SPIN iteration, against its opponent (iter0's generations), on held-out prompts
    double accuracy = report.tasks().stream().mapToDouble(t -> t.stages().get(2).rewardsAccuracies()).average().orElseThrow();
    assertTrue(accuracy >= MIN_HELD_OUT_ACCURACY,
        "iter1 tells held-out human responses from its opponent's, mean over the tasks: " + accuracy + "\n" + report.table());
    SpinReport.Task wordnet = report.tasks().get(1);
    double rise = wordnet.stages().get(2).devNll() - wordnet.stages().get(0).devNll();
    assertTrue(rise <= MAX_NLL_RISE, "iter1 keeps the human definitions' NLL near the SFT start: +" + rise + "\n" + report.table());
    assertTrue(Files.size(dir.resolve("spin_report.png")) > 1000);
    assertTrue(demo.out().contains("continued SFT"), demo.out());
  }
}
