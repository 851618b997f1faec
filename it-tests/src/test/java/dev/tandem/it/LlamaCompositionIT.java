package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.spin.demo.SyntheticTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CALM between two Llama-family models of different widths (anchor hidden 48, augmenting hidden 32,
 * RoPE in both): composed, trained, evaluated and generated from through the CLI on every engine; and
 * LoRA composition on a Llama anchor is refused with a clear message (not yet supported).
 */
class LlamaCompositionIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void calmComposesLlamaModelsOfDifferentWidths(String engine) throws Exception {
    Path anchor = TinyHubModels.llama(dir.resolve("anchor"), 48, 2, 1);
    Path augment = TinyHubModels.llama(dir.resolve("augment"), 32, 2, 2);
    Path train = dir.resolve("train.jsonl");
    Path eval = dir.resolve("eval.jsonl");
    SyntheticTask.ADDITION.generate(4, 32, 8).write(train, eval);
    List<String> on = List.of("--engine", engine, "--threads", AllEngines.THREADS);

    Path calm = dir.resolve("calm");
    Cli compose = run(on, "compose", "--strategy", "calm", "--anchor", anchor.toString(), "--augment", augment.toString(),
        "--connect-every", "1", "--data", train.toString(), "--output", calm.toString(), "--max-steps", "3", "--batch-size", "4");
    CliCommandsIT.assertRanOn(engine, compose.err(), "compose");
    assertTrue(Files.isRegularFile(calm.resolve("composition.json")));
    Cli ev = run(on, "eval", "--model", calm.toString(), "--data", eval.toString(), "--limit", "4");
    assertTrue(new ObjectMapper().readTree(ev.lastLine()).get("loss").doubleValue() > 0, ev.lastLine());
    Cli gen = run(on, "generate", "--model", calm.toString(), "--prompt", "1+2=", "--max-new-tokens", "4");
    assertEquals(1, gen.out().lines().count(), gen.toString());

    List<String> lora = new ArrayList<>(List.of("compose"));
    lora.addAll(on);
    lora.addAll(List.of("--strategy", "lora", "--anchor", anchor.toString(), "--rank", "2", "--data", train.toString(),
        "--output", dir.resolve("lora").toString(), "--max-steps", "1"));
    Cli refused = Cli.run(lora.toArray(String[]::new));
    assertTrue(refused.exit() != 0, refused.toString());
    assertTrue(refused.err().contains("llama family"), refused.err());
  }

  private static Cli run(List<String> on, String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(on);
    all.addAll(List.of(args));
    Cli c = Cli.run(all.toArray(String[]::new));
    assertEquals(0, c.exit(), command + ": " + c);
    return c;
  }
}
