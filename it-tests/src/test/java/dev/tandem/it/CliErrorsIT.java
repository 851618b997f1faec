package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives a clear one-line error and a non-zero exit, never a crash or half-written output. */
class CliErrorsIT {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void init() {
    model = dir.resolve("model");
    Cli c = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "64");
    assertEquals(0, c.exit(), c.toString());
  }

  @Test
  void malformedJsonlLineNamesFileAndLine() throws Exception {
    Path data = dir.resolve("bad.jsonl");
    Files.writeString(data, "{\"prompt\": \"a\", \"completion\": \"b\"}\n\n{\"prompt\": \"a\", \"completion\": \n");
    Path out = dir.resolve("run-bad");
    Cli c = Cli.run("sft", "--model", model.toString(), "--data", data.toString(), "--output", out.toString(), "--max-steps", "2");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.error().startsWith("error: " + data + ":3: "), c.toString());
    assertFalse(c.err().contains("\tat "), "no stack trace: " + c.err());
    assertFalse(Files.exists(out.resolve("model.safetensors")), "nothing written");
  }

  @Test
  void missingFieldNamesTheField() throws Exception {
    Path data = dir.resolve("missing.jsonl");
    Files.writeString(data, "{\"prompt\": \"a\"}\n");
    Cli c = Cli.run("sft", "--model", model.toString(), "--data", data.toString(), "--output", dir.resolve("run-missing").toString(), "--max-steps", "1");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.err().contains(data + ":1: "), c.toString());
    assertTrue(c.err().contains("completion"), c.toString());
  }

  @Test
  void truncatedSafetensorsIsAClearError() throws Exception {
    Path broken = copyModel("truncated");
    Path weights = broken.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(all, all.length / 2));
    Cli c = Cli.run("generate", "--model", broken.toString(), "--prompt", "hi", "--max-new-tokens", "2");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.err().contains(weights.toString()), c.toString());
  }

  @Test
  void hugeHeaderLengthIsRejectedWithoutAllocating() throws Exception {
    Path broken = copyModel("huge");
    Path weights = broken.resolve("model.safetensors");
    byte[] b = Files.readAllBytes(weights);
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) 0x7f;
    }
    Files.write(weights, b);
    Cli c = Cli.run("generate", "--model", broken.toString(), "--prompt", "hi", "--max-new-tokens", "2");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.err().contains(weights.toString()), c.toString());
  }

  @Test
  void badConfigNamesFileAndField() throws Exception {
    Path broken = copyModel("config");
    Files.writeString(broken.resolve("config.json"), "{\"vocab_size\": 261, \"n_layer\": 1, \"n_head\": 0, \"n_embd\": 32, \"n_positions\": 64}");
    Cli c = Cli.run("generate", "--model", broken.toString(), "--prompt", "hi");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.err().contains("config.json"), c.toString());
    assertTrue(c.err().contains("n_head"), c.toString());
    Files.writeString(broken.resolve("config.json"), "{\"vocab_size\": 261, ");
    Cli d = Cli.run("generate", "--model", broken.toString(), "--prompt", "hi");
    assertEquals(1, d.exit(), d.toString());
    assertTrue(d.err().contains("config.json"), d.toString());
  }

  @Test
  void weightsThatDoNotMatchTheConfigAreRejected() throws Exception {
    Path broken = copyModel("mismatch");
    Files.writeString(broken.resolve("config.json"), "{\"vocab_size\": 261, \"n_layer\": 1, \"n_head\": 2, \"n_embd\": 64, \"n_positions\": 64}");
    Cli c = Cli.run("generate", "--model", broken.toString(), "--prompt", "hi");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.err().contains("shape"), c.toString());
  }

  @Test
  void unknownEngineAndObjectiveListTheKnownOnes() throws Exception {
    Path data = dir.resolve("ok.jsonl");
    Files.writeString(data, "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
    Cli c = Cli.run("sft", "--model", model.toString(), "--data", data.toString(), "--output", dir.resolve("r1").toString(), "--engine", "nope");
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.err().contains("unknown engine 'nope', known: "), c.toString());
    Cli o = Cli.run("sft", "--model", model.toString(), "--data", data.toString(), "--output", dir.resolve("r2").toString(), "--objective", "nope");
    assertEquals(1, o.exit(), o.toString());
    assertTrue(o.err().contains("unknown objective 'nope', known: "), o.toString());
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(2, Cli.run("sft", "--model").exit());
    assertEquals(2, Cli.run("frobnicate").exit());
  }

  private static Path copyModel(String name) throws Exception {
    Path to = dir.resolve(name);
    Files.createDirectories(to);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(model.resolve(f), to.resolve(f));
    }
    return to;
  }
}
