package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole CLI on real data: init, eval, SFT on 2,000 WordNet definitions, eval again, generate.
 * Held-out loss must drop clearly; every promised output file must be there.
 */
class SftLearnsIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void sftOnWordNetClearlyLowersDevLoss(String engine) throws Exception {
    Path model = dir.resolve("model");
    Path train = SampleFiles.wordnetTrain(dir, 2000);
    Path dev = SampleFiles.wordnetDev(dir, 200);
    Path run = dir.resolve("run");
    Cli init = Cli.run("init", "--output", model.toString(), "--layers", "2", "--heads", "4", "--d-model", "64", "--context", "128", "--seed", "1");
    assertEquals(0, init.exit(), init.toString());

    double before = evalLoss(engine, model, dev);
    Cli sft = Cli.run("sft", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", train.toString(),
        "--eval-data", dev.toString(), "--output", run.toString(), "--max-steps", "300", "--batch-size", "16",
        "--learning-rate", "3e-3", "--eval-steps", "100", "--save-steps", "150", "--logging-steps", "25");
    assertEquals(0, sft.exit(), sft.toString());
    double after = evalLoss(engine, run, dev);

    assertTrue(before > 5.0, "an untrained byte model is near ln(261) = 5.56 nats, got " + before);
    assertTrue(after < before - 2.0, "dev loss must drop clearly: " + before + " -> " + after);

    List<Map<String, Object>> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
    assertEquals(12, lines.size(), "a line every 25 steps");
    for (Map<String, Object> l : lines) {
      for (String k : List.of("step", "loss", "lr", "tokens_per_second")) {
        assertNotNull(l.get(k), k + " in " + l);
      }
    }
    assertEquals(3, lines.stream().filter(l -> l.containsKey("eval_loss")).count(), "eval at 100, 200, 300");
    double firstLoss = ((Number) lines.get(0).get("loss")).doubleValue();
    double lastLoss = ((Number) lines.get(lines.size() - 1).get("loss")).doubleValue();
    assertTrue(lastLoss < firstLoss - 1.5, "training loss falls: " + firstLoss + " -> " + lastLoss);
    for (String f : List.of("model.safetensors", "config.json", "tokenizer.json", "trainer_state.json", "loss.png",
        "checkpoint-150/model.safetensors", "checkpoint-150/optimizer.safetensors", "checkpoint-300/trainer_state.json")) {
      assertTrue(Files.isRegularFile(run.resolve(f)), f);
    }

    Cli gen = Cli.run("generate", "--engine", engine, "--model", run.toString(), "--prompt", "Define cat (noun).", "--max-new-tokens", "40");
    assertEquals(0, gen.exit(), gen.toString());
    assertTrue(gen.out().strip().length() > 3, "generates text: " + gen.out());
  }

  private static double evalLoss(String engine, Path model, Path data) throws Exception {
    Cli c = Cli.run("eval", "--engine", engine, "--model", model.toString(), "--data", data.toString());
    assertEquals(0, c.exit(), c.toString());
    Map<?, ?> m = new ObjectMapper().readValue(c.lastLine(), Map.class);
    assertTrue(m.containsKey("exact_match"), c.lastLine());
    assertTrue(((Number) m.get("tokens")).longValue() > 1000, c.lastLine());
    return ((Number) m.get("loss")).doubleValue();
  }
}
