package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config FILE.yaml}: keys are the command's flags or its objective's/strategy's options; flags override. */
class ConfigFileTest {
  @TempDir Path dir;

  private Path recipe(String text) throws Exception {
    Path f = dir.resolve("recipe.yaml");
    Files.writeString(f, text);
    return f;
  }

  private static List<String> expand(String... args) {
    return List.of(ConfigFile.expand(Main.commandLine(), args));
  }

  @Test
  void recipeSetsFlagsAndObjectiveOptionsAndTheCommandLineOverrides() throws Exception {
    Path f = recipe("""
        # alignment-handbook style
        ---
        learning_rate: 2.0e-5   # a comment
        num_train_epochs: 3
        lr-scheduler-type: "linear"
        gamma: 0.5
        strict_length: true
        """);
    List<String> args = expand("sft", "--model", "m", "--data", "d", "-o", "o", "--objective", "simpo", "--config", f.toString(), "--epochs", "2");
    // num_train_epochs is --epochs, given on the command line
    assertEquals(List.of("sft", "--learning-rate", "2.0e-5", "--lr-scheduler-type", "linear",
        "--option", "gamma=0.5", "--strict-length",
        "--model", "m", "--data", "d", "-o", "o", "--objective", "simpo", "--config", f.toString(), "--epochs", "2"), fix(args));
    SftCommand sft = new SftCommand();
    new CommandLine(sft).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    assertEquals(2.0e-5f, sft.training.learningRate);
    assertEquals(2, sft.training.epochs, "the command line overrides the recipe");
    assertEquals("linear", sft.training.schedule);
    assertEquals("0.5", sft.objectiveOptions.options.get("gamma"));
    assertTrue(sft.strictLength);
    List<String> overridden = expand("sft", "--config=" + f, "--option", "gamma=0.7", "--learning_rate=1e-4");
    assertEquals(List.of("sft", "--num-train-epochs", "3", "--lr-scheduler-type", "linear", "--strict-length",
        "--config=" + f, "--option", "gamma=0.7", "--learning_rate=1e-4"), fix(overridden));
  }

  /** picocli's longest name of an option with names of equal length may be either spelling. */
  private static List<String> fix(List<String> args) {
    return args.stream().map(a -> a.replace('_', '-').equals(a) ? a : a.startsWith("--") && !a.contains("=") ? a.replace('_', '-') : a).toList();
  }

  @Test
  void composeRecipeSetsStrategyOptionsAndAListFlag() throws Exception {
    Path f = recipe("""
        strategy: calm
        augment:
          - a1
          - a2
        connect_every: 2
        """);
    assertEquals(List.of("compose", "--strategy", "calm", "--augment", "a1", "--augment", "a2", "--option", "connect_every=2",
        "--config", f.toString()), fix(expand("compose", "--config", f.toString())));
    assertEquals(List.of("compose", "--strategy", "calm", "--config", f.toString(), "--augment", "b", "--connect-every", "1"),
        fix(expand("compose", "--config", f.toString(), "--augment", "b", "--connect-every", "1")));
  }

  @Test
  void theReadmeRecipeOnDpo() throws Exception {
    Path f = recipe("""
        data: pairs.jsonl
        learning_rate: 5.0e-6
        num_train_epochs: 2
        lr_scheduler_type: linear
        objective: simpo
        gamma: 0.3          # SimPO's option, as --option gamma=0.3
        """);
    List<String> args = expand("dpo", "--config", f.toString(), "--model", "runs/sft", "--output", "runs/dpo", "--beta", "0.2");
    DpoCommand dpo = new DpoCommand();
    new CommandLine(dpo).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    assertEquals(Path.of("pairs.jsonl"), dpo.data);
    assertEquals(5.0e-6f, dpo.training.learningRate);
    assertEquals(2, dpo.training.epochs);
    assertEquals("simpo", dpo.objectiveName);
    assertEquals(Map.of("gamma", "0.3"), dpo.objectiveOptions.options);
    assertEquals("0.2", dpo.objectiveOptions.beta);
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {Integer.toString(code), err.toString()};
  }

  @Test
  void unknownKeysAreErrorsNamingFileLineAndKey() throws Exception {
    Path f = recipe("learning_rate: 1e-4\n\nlerning_rate: 2e-5\n");
    String[] r = run("sft", "--model", "none", "--data", "none.jsonl", "-o", dir.resolve("o").toString(), "--config", f.toString());
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains(f + " line 3: unknown key 'lerning_rate'") && r[1].contains("objective 'sft'"), r[1]);
    String[] bad = run("demo", "spin", "-o", "x", "--config", recipe("no_such_flag: 1\n").toString());
    assertEquals("1", bad[0], bad[1]);
    assertTrue(bad[1].contains("line 1: unknown key 'no_such_flag': tandem demo spin has no flag --no-such-flag"), bad[1]);
    String[] nested = run("sft", "--config", recipe("model:\n  path: m\n").toString());
    assertEquals("1", nested[0], nested[1]);
    assertTrue(nested[1].contains("line 2: not a top-level"), nested[1]);
    String[] strategy = run("compose", "--strategy", "lora", "--anchor", "none", "--data", "d", "-o", "o", "--config", recipe("rank: 2\nwidth: 3\n").toString());
    assertEquals("1", strategy[0], strategy[1]);
    assertTrue(strategy[1].contains("line 2: unknown key 'width'") && strategy[1].contains("strategy 'lora' (its options: rank, alpha, targets)"), strategy[1]);
  }
}
