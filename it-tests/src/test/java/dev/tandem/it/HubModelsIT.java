package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Hub-style {@code qwen3} directory (BF16 weights, Qwen3's real tokenizer and chat template)
 * through every command a user runs on it, on every engine: generate, sft on chat messages, eval,
 * dpo and spin; the trained model saves in the input's layout (same config fields but {@code
 * torch_dtype}, same tensor names, tokenizer files byte for byte) and reloads to the same logits.
 */
class HubModelsIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void aQwen3DirectoryGeneratesTrainsSavesAndReloads(String engine) throws Exception {
    Path base = TinyHubModels.qwen3(dir.resolve("qwen3"), 7);
    Path chat = dir.resolve("chat.jsonl");
    Path pairs = dir.resolve("pairs.jsonl");
    List<String> lines = new ArrayList<>();
    List<String> prefs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      lines.add("{\"messages\": [{\"role\": \"system\", \"content\": \"Answer briefly.\"}, {\"role\": \"user\", \"content\": \"What is "
          + i + " + " + (i + 1) + "?\"}, {\"role\": \"assistant\", \"content\": \"" + (2 * i + 1) + "\"}]}");
      prefs.add("{\"prompt\": \"Say " + i + " in words\", \"chosen\": \"number " + i + "\", \"rejected\": \"ünïcödé " + i + "\"}");
    }
    Files.write(chat, lines);
    Files.write(pairs, prefs);
    List<String> on = List.of("--engine", engine, "--threads", AllEngines.THREADS);

    Cli gen = run(engine, on, "generate", "--model", base.toString(), "--prompt", "Hello, who are you?", "--max-new-tokens", "4");
    // 4 new tokens of a random model over Qwen3's vocabulary: some text (newlines are tokens too)
    assertTrue(!gen.out().isEmpty(), gen.toString());

    Path sft = dir.resolve("sft");
    run(engine, on, "sft", "--model", base.toString(), "--data", chat.toString(), "--output", sft.toString(),
        "--max-steps", "3", "--batch-size", "2", "--learning-rate", "1e-2", "--logging-steps", "1");
    assertSavedLikeTheInput(base, sft);

    Cli ev = run(engine, on, "eval", "--model", sft.toString(), "--data", chat.toString(), "--limit", "4");
    JsonNode line = new ObjectMapper().readTree(ev.lastLine());
    assertTrue(line.get("loss").doubleValue() > 0, ev.lastLine());

    Path dpo = dir.resolve("dpo");
    run(engine, on, "dpo", "--model", sft.toString(), "--data", pairs.toString(), "--output", dpo.toString(),
        "--max-steps", "2", "--batch-size", "2");
    assertSavedLikeTheInput(base, dpo);

    Path spin = dir.resolve("spin");
    run(engine, on, "spin", "--model", sft.toString(), "--data", chat.toString(), "--output", spin.toString(),
        "--iterations", "1", "--epochs-per-iteration", "1", "--batch-size", "2", "--max-new-tokens", "6");
    assertSavedLikeTheInput(base, spin.resolve("iter-0"));

    // the saved model reloads to the logits of the values it was saved from, and saves again identically
    ModelDirectory trained = ModelDirectory.load(sft);
    Path again = Files.createDirectories(dir.resolve("again"));
    trained.writeModel(again, trained.weights());
    int[] text = trained.tokenizer().encode("Tandem trains Qwen3 in Java, 日本語 too.");
    HostTensor ids = HostTensor.ofInts(text, 1, text.length);
    try (Engine e = AllEngines.create(engine)) {
      assertArrayEquals(logits(e, trained, ids), logits(e, ModelDirectory.load(again), ids));
    }
    assertNotEquals(
        ModelDirectory.load(base).weights().get("model.layers.0.mlp.up_proj.weight"),
        trained.weights().get("model.layers.0.mlp.up_proj.weight"),
        "sft changed the weights");
  }

  /** Same config fields (torch_dtype aside), same tensor names, tokenizer files byte for byte. */
  static void assertSavedLikeTheInput(Path input, Path saved) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode in = (ObjectNode) json.readTree(input.resolve("config.json").toFile());
    ObjectNode out = (ObjectNode) json.readTree(saved.resolve("config.json").toFile());
    assertEquals("float32", out.get("torch_dtype").asText());
    in.remove("torch_dtype");
    out.remove("torch_dtype");
    assertEquals(in, out, "config fields");
    assertEquals(new TreeSet<>(Safetensors.readDTypes(input.resolve("model.safetensors")).keySet()),
        new TreeSet<>(Safetensors.readDTypes(saved.resolve("model.safetensors")).keySet()), "tensor names");
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
      assertArrayEquals(Files.readAllBytes(input.resolve(f)), Files.readAllBytes(saved.resolve(f)), f);
    }
  }

  private static float[] logits(Engine engine, ModelDirectory m, HostTensor ids) {
    Parameters p = engine.createParameters(m.weights(), Set.of());
    try (CompiledFunction f = engine.compile(p, (ops, params, in) -> List.of(m.model().forward(ops, params, in.get(0), null, null)));
        Tensor t = engine.upload(ids)) {
      List<Tensor> out = f.call(List.of(t));
      float[] v = engine.download(out.get(0)).floats();
      out.forEach(Tensor::close);
      return v;
    }
  }

  private static Cli run(String engine, List<String> on, String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(on);
    all.addAll(List.of(args));
    Cli c = Cli.run(all.toArray(String[]::new));
    assertEquals(0, c.exit(), command + ": " + c);
    CliCommandsIT.assertRanOn(engine, c.err(), command);
    return c;
  }

}
