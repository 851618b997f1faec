package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.train.MetricsLog;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.SpinReport;
import dev.tandem.spin.demo.SyntheticTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tandem spin} and {@code tandem dpo} end to end on every engine, on a tiny model: two
 * self-play iterations write full model directories, a line per iteration and the report; a rerun
 * with --resume skips finished iterations; a run killed during iteration 1 resumes from its
 * checkpoint and ends exactly where the uninterrupted run ends; DPO trains on preference pairs.
 */
class SpinCliIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void spinRunsResumesAtIterationAndStepAndItsPairsTrainDpo(String engine) throws Exception {
    Path model = dir.resolve("model");
    Cli init = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32", "--seed", "2");
    assertEquals(0, init.exit(), init.toString());
    Path train = dir.resolve("train.jsonl");
    Path eval = dir.resolve("eval.jsonl");
    SyntheticTask.ADDITION.generate(4, 160, 16).write(train, eval);
    List<String> args =
        List.of("spin", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", train.toString(), "--eval-data", eval.toString(),
            "--iterations", "2", "--epochs-per-iteration", "3", "--batch-size", "8", "--learning-rate", "1e-3", "--beta", "0.5",
            "--save-steps", "5", "--logging-steps", "20", "--seed", "3");

    // an uninterrupted run
    Path straight = dir.resolve("straight");
    Cli a = Cli.run(with(args, "--output", straight.toString()));
    assertEquals(0, a.exit(), a.toString());
    CliCommandsIT.assertRanOn(engine, a.err(), "spin");
    for (int t = 0; t < 2; t++) {
      assertTrue(SelfPlay.finished(straight, t), "iter-" + t + " is a model directory");
      ModelDirectory.load(straight.resolve("iter-" + t));
      try (Stream<Path> s = Files.list(SelfPlay.trainDir(straight, t))) {
        assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("checkpoint-")), "checkpoints of a finished iteration are removed");
      }
    }
    List<Map<String, Object>> lines = MetricsLog.read(straight.resolve(SelfPlay.METRICS));
    assertEquals(3, lines.size(), lines.toString());
    assertEquals("sft", lines.get(0).get("stage"));
    for (int t = 0; t < 2; t++) {
      Map<String, Object> l = lines.get(t + 1);
      assertEquals(t, l.get("iteration"));
      assertTrue(((Number) l.get("generated_tokens_per_second")).doubleValue() > 0, l.toString());
      assertTrue(((Number) l.get("train_steps")).longValue() > 0, l.toString());
      for (String k : List.of("eval_rewards/accuracies", "eval_rewards/real", "eval_rewards/generated", "eval_rewards/margins", "eval_logps/real",
          "eval_logps/generated", "eval_nll", "eval_exact_match", "train_rewards/accuracies")) {
        assertTrue(l.containsKey(k), k + " in " + l);
      }
    }
    SpinReport report = SpinReport.read(straight.resolve(SpinReport.FILE));
    assertEquals(List.of("sft", "iter0", "iter1"), report.tasks().get(0).stages().stream().map(SpinReport.Stage::stage).toList());
    assertTrue(Files.size(straight.resolve("spin_report.png")) > 1000);
    assertTrue(a.out().contains("rewards_accuracies"), a.out());

    // iteration granularity: everything is done, nothing runs again; a new run may not overwrite it
    Cli again = Cli.run(with(args, "--output", straight.toString(), "--resume"));
    assertEquals(0, again.exit(), again.toString());
    assertTrue(again.out().contains("iterations 0..1 are done"), again.out());
    assertEquals(3, MetricsLog.read(straight.resolve(SelfPlay.METRICS)).size());
    Cli refused = Cli.run(with(args, "--output", straight.toString()));
    assertEquals(1, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("--resume"), refused.err());

    // step granularity: killed while training iteration 1
    Path killed = dir.resolve("killed");
    Process p = Cli.subprocess(List.of(with(args, "--output", killed.toString())), dir.resolve("killed.log"));
    Path work = SelfPlay.trainDir(killed, 1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!hasCheckpoint(work) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(p.isAlive(), "the run must still be going when it is killed; log: " + Files.readString(dir.resolve("killed.log")));
    p.destroyForcibly().waitFor();
    assertTrue(SelfPlay.finished(killed, 0));
    assertFalse(SelfPlay.finished(killed, 1), "killed before iteration 1 finished");
    Cli resumed = Cli.run(with(args, "--output", killed.toString(), "--resume"));
    assertEquals(0, resumed.exit(), resumed.toString());
    assertTrue(resumed.out().contains("resuming at iteration 1"), resumed.out());
    assertTrue(resumed.out().contains("reusing the"), resumed.out());
    assertTrue(resumed.out().contains("resuming at step"), resumed.out());
    assertEquals(3, MetricsLog.read(killed.resolve(SelfPlay.METRICS)).size(), "no stage line lost or doubled");
    Map<String, HostTensor> we = Safetensors.read(straight.resolve("iter-1/model.safetensors"));
    Map<String, HostTensor> wa = Safetensors.read(killed.resolve("iter-1/model.safetensors"));
    for (var e : we.entrySet()) {
      float[] x = e.getValue().floats();
      float[] y = wa.get(e.getKey()).floats();
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-4, e.getKey() + "[" + i + "]");
      }
    }

    // DPO on preference pairs: the right sum preferred to a sum off by one
    Path pairs = dir.resolve("pairs.jsonl");
    Path evalPairs = dir.resolve("eval-pairs.jsonl");
    Files.write(pairs, preferencePairs(train));
    Files.write(evalPairs, preferencePairs(eval));
    Cli dpo = Cli.run("dpo", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", pairs.toString(), "--eval-data", evalPairs.toString(),
        "--output", dir.resolve("dpo").toString(), "--epochs", "2", "--batch-size", "8", "--learning-rate", "1e-3", "--loss", "hinge", "--beta", "0.5");
    assertEquals(0, dpo.exit(), dpo.toString());
    CliCommandsIT.assertRanOn(engine, dpo.err(), "dpo");
    Map<?, ?> m = new ObjectMapper().readValue(dpo.lastLine(), Map.class);
    assertTrue(m.containsKey("eval_rewards/chosen") && m.containsKey("eval_rewards/accuracies"), dpo.lastLine());
    assertTrue(Files.isRegularFile(dir.resolve("dpo/model.safetensors")));
  }

  /** {"prompt", "chosen", "rejected"} lines from prompt/completion lines: the sum against the sum plus one. */
  private static List<String> preferencePairs(Path data) throws java.io.IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(data)) {
      Map<?, ?> m = json.readValue(line, Map.class);
      String sum = (String) m.get("completion");
      out.add(json.writeValueAsString(Map.of("prompt", m.get("prompt"), "chosen", sum, "rejected", Integer.toString(Integer.parseInt(sum) + 1))));
    }
    return out;
  }

  private static boolean hasCheckpoint(Path work) {
    if (!Files.isDirectory(work)) {
      return false;
    }
    try (Stream<Path> s = Files.list(work)) {
      return s.anyMatch(p -> p.getFileName().toString().matches("checkpoint-\\d+"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String[] with(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
