package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.compose.Compositions;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.demo.SyntheticTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Any objective trains any composition: {@code sft}, {@code dpo} and {@code spin} with {@code
 * --model <a CALM composition>} train the composition's new parameters only, leave the base models
 * untouched, and write composed model directories that {@code eval} loads.
 */
class CompositionTrainingIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void sftDpoAndSpinTrainACalmCompositionsNewParametersOnly(String engine) throws Exception {
    Path anchor = init("anchor", 1);
    Path augment = init("augment", 2);
    String anchorSha = Compositions.sha256(anchor.resolve("model.safetensors"));
    String augmentSha = Compositions.sha256(augment.resolve("model.safetensors"));
    Path train = dir.resolve("train.jsonl");
    Path eval = dir.resolve("eval.jsonl");
    SyntheticTask.ADDITION.generate(4, 24, 8).write(train, eval);
    Path pairs = dir.resolve("pairs.jsonl");
    Files.write(pairs, preferencePairs(train));
    List<String> on = List.of("--engine", engine, "--threads", AllEngines.THREADS, "--batch-size", "8", "--learning-rate", "1e-2");

    Path calm = dir.resolve("calm");
    run("compose", on, "--strategy", "calm", "--anchor", anchor.toString(), "--augment", augment.toString(), "--connect-every", "1",
        "--data", train.toString(), "--output", calm.toString(), "--max-steps", "1");
    Map<String, HostTensor> composed = Safetensors.read(calm.resolve("model.safetensors"));

    Path sft = dir.resolve("sft");
    Cli s = run("sft", on, "--model", calm.toString(), "--data", train.toString(), "--output", sft.toString(), "--max-steps", "2");
    assertTrue(s.out().contains("calm composition"), s.out());
    assertTrainedCompositionOnly(engine, composed, sft);

    Path dpo = dir.resolve("dpo");
    run("dpo", on, "--model", calm.toString(), "--data", pairs.toString(), "--output", dpo.toString(), "--max-steps", "2", "--beta", "0.5");
    assertTrainedCompositionOnly(engine, composed, dpo);

    Path spin = dir.resolve("spin");
    run("spin", on, "--model", calm.toString(), "--data", train.toString(), "--output", spin.toString(), "--iterations", "1",
        "--epochs-per-iteration", "1", "--max-new-tokens", "4", "--beta", "0.5", "--exact-match", "false");
    assertTrue(SelfPlay.finished(spin, 0), "iter-0 is a complete model directory");
    assertTrainedCompositionOnly(engine, composed, SelfPlay.iterationDir(spin, 0));

    assertEquals(anchorSha, Compositions.sha256(anchor.resolve("model.safetensors")), "the anchor is unchanged");
    assertEquals(augmentSha, Compositions.sha256(augment.resolve("model.safetensors")), "the augmenting model is unchanged");
  }

  /** {@code out} is a composed directory with exactly the composition's parameters, changed, and it evaluates. */
  private void assertTrainedCompositionOnly(String engine, Map<String, HostTensor> before, Path out) throws Exception {
    assertTrue(Compositions.isComposed(out), out + " holds " + Compositions.FILE);
    Map<String, HostTensor> after = Safetensors.read(out.resolve("model.safetensors"));
    assertEquals(before.keySet(), after.keySet(), "only the composition's parameters are saved");
    boolean changed = before.keySet().stream().anyMatch(k -> !Arrays.equals(before.get(k).floats(), after.get(k).floats()));
    assertTrue(changed, "training changed the composition's parameters in " + out);
    Cli ev = Cli.run("eval", "--engine", engine, "--threads", AllEngines.THREADS, "--model", out.toString(), "--data", dir.resolve("eval.jsonl").toString(), "--limit", "4");
    assertEquals(0, ev.exit(), ev.toString());
    assertTrue(new ObjectMapper().readTree(ev.lastLine()).get("loss").doubleValue() > 0, ev.lastLine());
  }

  private Path init(String name, int seed) {
    Path p = dir.resolve(name);
    Cli c = Cli.run("init", "--output", p.toString(), "--layers", "2", "--heads", "2", "--d-model", "32", "--context", "32", "--seed", "" + seed);
    assertEquals(0, c.exit(), c.toString());
    return p;
  }

  private static Cli run(String command, List<String> on, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(on);
    all.addAll(List.of(args));
    Cli c = Cli.run(all.toArray(String[]::new));
    assertEquals(0, c.exit(), command + ": " + c);
    return c;
  }

  /** The right sum preferred to one off by one. */
  private static List<String> preferencePairs(Path sft) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(sft)) {
      Map<?, ?> r = json.readValue(line, Map.class);
      String sum = (String) r.get("completion");
      out.add(json.writeValueAsString(Map.of("prompt", r.get("prompt"), "chosen", sum, "rejected", Integer.toString(Integer.parseInt(sum) + 1))));
    }
    return out;
  }
}
