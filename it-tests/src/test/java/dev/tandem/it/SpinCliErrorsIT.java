package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code tandem spin} and {@code tandem dpo}: a clear error naming the file and line,
 * or a counted and reported skip, never a silent drop; objectives by name with the known ones listed.
 */
class SpinCliErrorsIT {
  @TempDir static Path dir;
  static Path model;
  static String engine;

  @BeforeAll
  static void init() {
    model = dir.resolve("model");
    Cli c = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32");
    assertEquals(0, c.exit(), c.toString());
    engine = AllEngines.names().findFirst().orElseThrow();
  }

  private static Cli dpo(Path data, String... more) {
    String[] base = {"dpo", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", data.toString(), "--output", dir.resolve("dpo-" + data.getFileName()).toString(), "--max-steps", "1"};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return Cli.run(all);
  }

  private static Cli spin(Path data, String... more) {
    String[] base = {"spin", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", data.toString(), "--output", dir.resolve("spin-" + data.getFileName() + more.length).toString(),
        "--iterations", "1", "--epochs-per-iteration", "1", "--batch-size", "4"};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return Cli.run(all);
  }

  @Test
  void dpoObjectivesByNameListTheKnownPreferenceObjectives() throws Exception {
    Path data = dir.resolve("pairs.jsonl");
    Files.writeString(data, "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n");
    Cli unknown = dpo(data, "--objective", "nope");
    assertEquals(1, unknown.exit(), unknown.toString());
    assertEquals("error: unknown objective 'nope', known: dpo, simpo, spin", unknown.error());
    Cli sft = dpo(data, "--objective", "sft");
    assertEquals(1, sft.exit(), sft.toString());
    assertTrue(sft.err().contains("not on preference pairs"), sft.toString());
    Cli ok = dpo(data, "--objective", "spin", "--beta", "0.3");
    assertEquals(0, ok.exit(), ok.toString());
    assertTrue(ok.out().contains("spin(beta 0.3, sigmoid)"), ok.out());
  }

  @Test
  void badPreferenceLinesNameTheLine() throws Exception {
    Path empty = dir.resolve("empty-chosen.jsonl");
    Files.writeString(empty, "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n{\"prompt\": \"a\", \"chosen\": \"\", \"rejected\": \"c\"}\n");
    Cli e = dpo(empty);
    assertEquals(1, e.exit(), e.toString());
    assertEquals("error: " + empty + ":2: empty chosen", e.error());
    Path missing = dir.resolve("missing.jsonl");
    Files.writeString(missing, "{\"prompt\": \"a\", \"chosen\": \"b\"}\n");
    Cli m = dpo(missing);
    assertEquals(1, m.exit(), m.toString());
    assertTrue(m.error().startsWith("error: " + missing + ":1: missing field \"rejected\""), m.toString());
    Path form = dir.resolve("form.jsonl");
    Files.writeString(form, "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
    Cli f = dpo(form);
    assertEquals(1, f.exit(), f.toString());
    assertTrue(f.error().startsWith("error: " + form + ":1: expected a preference pair"), f.toString());
  }

  @Test
  void badSpinInputIsAnErrorNamingTheLineOrACountedSkip() throws Exception {
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n{\"prompt\": \"1+2=\", \"completion\": \"\"}\n");
    Cli e = spin(empty);
    assertEquals(1, e.exit(), e.toString());
    assertEquals("error: " + empty + ":2: empty completion", e.error());

    Path text = dir.resolve("text.jsonl");
    Files.writeString(text, "{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n{\"text\": \"no prompt here\"}\n");
    Cli t = spin(text);
    assertEquals(1, t.exit(), t.toString());
    assertTrue(t.error().startsWith("error: " + text + ":2: SPIN needs a prompt"), t.toString());

    // a prompt longer than the context: skipped and reported, or an error with --strict-length
    Path long_ = dir.resolve("long.jsonl");
    Files.writeString(long_, "{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n{\"prompt\": \"" + "9".repeat(60) + "\", \"completion\": \"3\"}\n"
        + "{\"prompt\": \"2+2=\", \"completion\": \"4\"}\n");
    Cli skipped = spin(long_);
    assertEquals(0, skipped.exit(), skipped.toString());
    assertTrue(skipped.out().contains("skipped 1 examples: 1 longer than the context of 32 tokens (" + long_ + ":2)"), skipped.out());
    assertTrue(skipped.out().contains("spin: 2 prompts"), skipped.out());
    Cli strict = spin(long_, "--strict-length");
    assertEquals(1, strict.exit(), strict.toString());
    assertTrue(strict.error().startsWith("error: " + long_ + ":2: longer than the context"), strict.toString());

    Cli steps = spin(empty, "--max-steps", "5");
    assertEquals(1, steps.exit(), steps.toString());
    assertTrue(steps.err().contains("--epochs-per-iteration"), steps.toString());
    assertFalse(steps.err().contains("\tat "), "no stack trace");
  }
}
