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
 * The SPIN paper's experiment at small scale, as {@code tandem demo spin} runs it: SFT for a short
 * budget, SPIN iter0..iter3, continued SFT for as many steps, on addition and WordNet definitions.
 * The bar: iteration 1 beats the SFT start on held-out exact match of the synthetic task, and the
 * whole experiment finishes in under 10 minutes. It runs on every engine, at the demo's default
 * size (SPIN's math is also checked against plain Java on every engine in {@link SpinObjectiveIT}).
 */
class SpinDemoIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void iterationOneBeatsTheSftStartOnHeldOutExactMatch(String engine) throws Exception {
    long t0 = System.nanoTime();
    Cli demo = Cli.run("demo", "spin", "--engine", engine, "--threads", AllEngines.THREADS, "--output", dir.toString());
    double minutes = (System.nanoTime() - t0) / 60e9;
    assertEquals(0, demo.exit(), demo.toString());
    CliCommandsIT.assertRanOn(engine, demo.err(), "demo spin");
    System.out.println(demo.out());
    System.out.printf("SpinDemoIT: %s took %.1f min%n", engine, minutes);
    assertTrue(minutes < 10, "the experiment must finish in under 10 minutes, took " + minutes);

    SpinReport report = SpinReport.read(dir.resolve(SpinReport.FILE));
    assertEquals(List.of("addition", "wordnet"), report.tasks().stream().map(SpinReport.Task::task).toList());
    List<String> stages = List.of("sft", "iter0", "iter1", "iter2", "iter3", "continued_sft");
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
      assertEquals(5, lines.size(), "the start and 4 iterations");
      for (Map<String, Object> l : lines.subList(1, 5)) {
        assertTrue(((Number) l.get("generated_tokens_per_second")).doubleValue() > 0, l.toString());
      }
    }
    SpinReport.Task addition = report.tasks().get(0);
    addition.stages().forEach(s -> assertNotNull(s.exactMatch(), "addition has exact answers: " + s));
    report.tasks().get(1).stages().forEach(s -> assertNull(s.exactMatch(), "exact match does not apply to definitions: " + s));
    double sft = addition.stages().get(0).exactMatch();
    double iter1 = addition.stages().get(2).exactMatch();
    assertTrue(iter1 > sft, "iteration 1 must beat the SFT start on held-out exact match: " + sft + " -> " + iter1 + "\n" + report.table());
    assertTrue(Files.size(dir.resolve("spin_report.png")) > 1000);
    assertTrue(demo.out().contains("continued SFT"), demo.out());
  }
}
