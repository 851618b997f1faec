package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objectives declare their options and the CLI sets any of them with {@code --option NAME=VALUE}
 * ({@code --beta} is the shorthand for {@code beta}): SimPO trains with a gamma from the command
 * line, {@code tandem objectives} lists each objective's options, and an unknown option or a bad
 * value is a one-line error (exit 1) naming what is wrong.
 */
class ObjectiveOptionsIT {
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

  private static Cli dpo(String run, String... more) {
    String[] base = {"dpo", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", pairs.toString(),
        "--eval-data", pairs.toString(), "--output", dir.resolve(run).toString(), "--max-steps", "2", "--batch-size", "4", "--learning-rate", "1e-3"};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return Cli.run(all);
  }

  @Test
  void simpoTrainsWithAGammaFromTheCommandLineAndTakesBeta() {
    Cli gamma = dpo("simpo-gamma", "--objective", "simpo", "--option", "gamma=0.3");
    assertEquals(0, gamma.exit(), gamma.toString());
    assertTrue(gamma.out().contains("simpo(beta 2.0, gamma 0.3)"), gamma.out());
    assertTrue(gamma.lastLine().contains("\"eval_rewards/margins\""), gamma.out());
    assertTrue(gamma.out().contains("dpo: simpo is reference-free: no reference log-probs computed"), gamma.out());
    // --beta is --option beta= for any objective that declares beta, not only PreferenceObjective's
    Cli beta = dpo("simpo-beta", "--objective", "simpo", "--beta", "2.5", "--option", "gamma=0");
    assertEquals(0, beta.exit(), beta.toString());
    assertTrue(beta.out().contains("simpo(beta 2.5, gamma 0.0)"), beta.out());
    Cli dpo = dpo("dpo-options", "--option", "loss=hinge", "--option", "beta=0.2");
    assertEquals(0, dpo.exit(), dpo.toString());
    assertTrue(dpo.out().contains("dpo(beta 0.2, hinge)"), dpo.out());
    assertTrue(!dpo.out().contains("reference-free"), "dpo computes its reference");
  }

  @Test
  void unknownOptionsAndBadValuesAreOneLineErrors() {
    Cli unknown = dpo("unknown", "--objective", "simpo", "--option", "tau=1");
    assertEquals(1, unknown.exit(), unknown.toString());
    assertEquals("error: objective 'simpo' has no option 'tau'; its options: beta, gamma", unknown.error());
    Cli bad = dpo("bad", "--objective", "simpo", "--option", "gamma=big");
    assertEquals(1, bad.exit(), bad.toString());
    assertEquals("error: objective 'simpo', option gamma: 'big' is not a float", bad.error());
    Cli badLoss = dpo("bad-loss", "--loss", "ipo");
    assertEquals(1, badLoss.exit(), badLoss.toString());
    assertEquals("error: objective 'dpo', option loss: 'ipo' is not one of sigmoid, hinge", badLoss.error());
    Cli twice = dpo("twice", "--beta", "0.2", "--option", "beta=0.3");
    assertEquals(1, twice.exit(), twice.toString());
    assertEquals("error: --beta and --option beta= both given: give one", twice.error());
    Cli sft = Cli.run("sft", "--engine", engine, "--model", model.toString(), "--data", pairs.toString(), "--output", dir.resolve("sft").toString(), "--beta", "0.1");
    assertEquals(1, sft.exit(), sft.toString());
    assertEquals("error: objective 'sft' has no option 'beta'; it has no options", sft.error());
    for (String run : new String[] {"unknown", "bad", "bad-loss", "twice", "sft"}) {
      assertTrue(!Files.exists(dir.resolve(run).resolve("metrics.jsonl")), run + ": nothing trained");
    }
  }

  @Test
  void objectivesListsEachObjectivesOptionsWithDefaultsAndDoc() {
    Cli c = Cli.run("objectives");
    assertEquals(0, c.exit(), c.toString());
    String out = c.out();
    assertTrue(out.contains("simpo\tdpo\tdev.tandem.spin.SimpoObjective\t"), out);
    assertTrue(out.contains("\n  gamma (float, default 0.5): target margin between the chosen and rejected rewards\n"), out);
    assertTrue(out.contains("\n  beta (float, default 2.0): "), out);
    assertTrue(out.contains("\n  loss (sigmoid|hinge, default sigmoid): "), out);
    assertTrue(out.contains("\n  beta (float, default 0.1): "), out);
  }
}
