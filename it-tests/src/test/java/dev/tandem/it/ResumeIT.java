package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.train.Checkpoints;
import dev.tandem.api.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL and restarted with {@code --resume} continues from its last
 * checkpoint and ends exactly where an uninterrupted run ends.
 */
class ResumeIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void killedRunResumesAndMatchesAnUninterruptedRun(String engine) throws Exception {
    Path model = dir.resolve("model");
    assertEquals(0, Cli.run("init", "--output", model.toString(), "--layers", "2", "--heads", "2", "--d-model", "64", "--context", "64", "--seed", "3").exit());
    Path data = SampleFiles.wordnetTrain(dir, 400);
    String steps = "400";
    List<String> args = List.of("sft", "--model", model.toString(), "--data", data.toString(), "--max-steps", steps,
        "--batch-size", "8", "--save-steps", "10", "--logging-steps", "5", "--learning-rate", "3e-3", "--engine", engine, "--threads", AllEngines.THREADS, "--device", "cpu");

    Path straight = dir.resolve("straight");
    List<String> a = new ArrayList<>(args);
    a.addAll(List.of("--output", straight.toString()));
    Cli ref = Cli.run(a.toArray(String[]::new));
    assertEquals(0, ref.exit(), ref.toString());

    Path killed = dir.resolve("killed");
    Process p = subprocess(args, killed);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.isDirectory(killed.resolve("checkpoint-30")) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(p.isAlive(), "the run must still be going when it is killed; log: " + log(dir.resolve("killed.log")));
    p.destroyForcibly().waitFor();
    long lastCheckpoint = Checkpoints.step(Checkpoints.latest(killed).orElseThrow());
    assertTrue(lastCheckpoint >= 30 && lastCheckpoint < 400, "killed at " + lastCheckpoint);

    List<String> b = new ArrayList<>(args);
    b.addAll(List.of("--output", killed.toString(), "--resume"));
    Cli resumed = Cli.run(b.toArray(String[]::new));
    assertEquals(0, resumed.exit(), resumed.toString());
    assertTrue(resumed.out().contains("resuming at step " + lastCheckpoint), resumed.out());

    var expected = MetricsLog.read(straight.resolve("metrics.jsonl"));
    var actual = MetricsLog.read(killed.resolve("metrics.jsonl"));
    assertEquals(expected.size(), actual.size(), "one line per logged step, none lost or doubled");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).get("step"), actual.get(i).get("step"));
      double le = ((Number) expected.get(i).get("loss")).doubleValue();
      double la = ((Number) actual.get(i).get("loss")).doubleValue();
      assertEquals(le, la, 1e-4 * Math.max(1, Math.abs(le)), "loss at step " + expected.get(i).get("step"));
    }
    Map<String, HostTensor> we = Safetensors.read(straight.resolve("model.safetensors"));
    Map<String, HostTensor> wa = Safetensors.read(killed.resolve("model.safetensors"));
    for (var e : we.entrySet()) {
      float[] x = e.getValue().floats();
      float[] y = wa.get(e.getKey()).floats();
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-4, e.getKey() + "[" + i + "]");
      }
    }
  }

  private static String log(Path file) throws java.io.IOException {
    return Files.exists(file) ? Files.readString(file) : "(none)";
  }

  private static Process subprocess(List<String> args, Path output) throws Exception {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--output", output.toString()));
    return Cli.subprocess(all, output.resolveSibling("killed.log"));
  }


}
