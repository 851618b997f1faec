package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config FILE.yaml} recipes on real runs: the keys are the flags or the objective's and
 * strategy's options, the command line overrides them, and an unknown key is a one-line error
 * naming the file, the line and the key.
 */
class RecipeIT {
  @TempDir static Path dir;
  static Path model;
  static Path pairs;
  static String engine;

  @BeforeAll
  static void init() throws Exception {
    model = dir.resolve("model");
    Cli c = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32");
    assertEquals(0, c.exit(), c.toString());
    pairs = dir.resolve("pairs.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      sb.append(String.format("{\"prompt\": \"%d+1=\", \"chosen\": \"%d\", \"rejected\": \"%d\"}%n", i, i + 1, i + 2));
    }
    Files.writeString(pairs, sb.toString());
    engine = AllEngines.names().findFirst().orElseThrow();
  }

  @Test
  void dpoRecipeSetsObjectiveAndOptionsAndFlagsOverride() throws Exception {
    Path recipe = Files.writeString(dir.resolve("simpo.yaml"), """
        # a SimPO recipe
        data: %s
        objective: simpo
        gamma: 0.3
        beta: 2.5
        max_steps: 2
        per_device_train_batch_size: 4
        learning_rate: 1.0e-3
        """.formatted(pairs));
    Cli r = Cli.run("dpo", "--engine", engine, "--threads", AllEngines.THREADS, "--config", recipe.toString(), "--model", model.toString(),
        "--output", dir.resolve("simpo").toString(), "--beta", "1.5");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("simpo(beta 1.5, gamma 0.3)"), r.out());
    assertTrue(r.out().contains("done at step 2"), r.out());
  }

  @Test
  void composeRecipeSetsTheStrategysOptions() throws Exception {
    Path recipe = Files.writeString(dir.resolve("lora.yaml"), """
        strategy: lora
        anchor: %s
        rank: 2
        alpha: 6
        max_steps: 1
        batch_size: 4
        """.formatted(model));
    Path out = dir.resolve("lora");
    Path seq = dir.resolve("seq.jsonl");
    Files.writeString(seq, "{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n{\"prompt\": \"2+1=\", \"completion\": \"3\"}\n"
        + "{\"prompt\": \"3+1=\", \"completion\": \"4\"}\n{\"prompt\": \"4+1=\", \"completion\": \"5\"}\n");
    Cli r = Cli.run("compose", "--engine", engine, "--threads", AllEngines.THREADS, "--config", recipe.toString(), "--data", seq.toString(),
        "--output", out.toString(), "--option", "alpha=4");
    assertEquals(0, r.exit(), r.toString());
    JsonNode settings = new ObjectMapper().readTree(out.resolve("composition.json").toFile()).get("settings");
    assertEquals(2, settings.get("rank").intValue(), settings.toString());
    assertEquals(4.0, settings.get("alpha").doubleValue(), 1e-6, "the command line overrides the recipe: " + settings);
  }

  @Test
  void anUnknownKeyNamesTheFileTheLineAndTheKey() throws Exception {
    Path recipe = Files.writeString(dir.resolve("typo.yaml"), "learning_rate: 1e-3\nmax_step: 2\n");
    Cli r = Cli.run("dpo", "--engine", engine, "--config", recipe.toString(), "--model", model.toString(), "--data", pairs.toString(),
        "--output", dir.resolve("typo").toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.error().startsWith("error: " + recipe + " line 2: unknown key 'max_step': not a flag of the command, nor an option of objective 'dpo'"), r.toString());
    assertFalse(Files.exists(dir.resolve("typo")), "nothing written");
  }
}
