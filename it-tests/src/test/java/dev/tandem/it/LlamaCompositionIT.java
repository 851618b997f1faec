package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.spin.demo.SyntheticTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CALM between two Llama-family models of different widths (anchor hidden 48, augmenting hidden 32,
 * RoPE in both): composed, trained, evaluated and generated from through the CLI on every engine; and
 * the {@code lora} strategy on a Llama anchor, in PEFT's layout.
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
  }

  /**
   * {@code lora} on a Llama anchor: the composed directory holds PEFT's adapter files (PEFT's keys
   * and shapes, the anchor named as the base) beside {@code composition.json}; it reloads to
   * identical logits, as a composition and as a plain adapter on the anchor; it merges (in memory,
   * {@code compose --merge} and {@code tandem merge}) into a plain Llama directory with the same
   * logits; and {@code compose --resume} continues from a checkpoint to the same adapter bytes.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void loraOnALlamaAnchorIsAPeftAdapterThatReloadsAndMerges(String engine) throws Exception {
    Path anchor = TinyHubModels.llama(dir.resolve("anchor"), 32, 2, 3);
    Tandem tandem = Tandem.create();
    Path saved = dir.resolve("saved");
    try (Engine e = AllEngines.create(engine)) {
      LoadedModel m = tandem.compose(e, "lora", anchor, List.of(), Map.of("rank", "2", "alpha", "4", "targets", "q_proj,v_proj,mlp.down_proj"), 7);
      float[] plain = logits(e, tandem.loadModel(e, anchor, false));
      assertArrayEquals(plain, logits(e, m), "B starts at zero: exactly the anchor");
      randomiseB(m);
      float[] expected = logits(e, m);
      m.save(saved);
      assertFalse(Files.exists(saved.resolve("model.safetensors")), "the adapter only, in PEFT's files");
      assertTrue(Files.isRegularFile(saved.resolve("composition.json")));
      assertTrue(LoadedModel.isComplete(saved));

      JsonNode cfg = new ObjectMapper().readTree(saved.resolve(AdapterDirectory.CONFIG).toFile());
      assertEquals("LORA", cfg.get("peft_type").asText());
      assertEquals(2, cfg.get("r").asInt());
      assertEquals(4.0, cfg.get("lora_alpha").asDouble());
      assertFalse(cfg.get("fan_in_fan_out").asBoolean());
      assertEquals("[\"q_proj\",\"v_proj\",\"mlp.down_proj\"]", cfg.get("target_modules").toString());
      assertEquals(anchor.toAbsolutePath().normalize().toString(), cfg.get("base_model_name_or_path").asText());
      Map<String, HostTensor> adapter = Safetensors.read(saved.resolve(AdapterDirectory.WEIGHTS));
      assertEquals(2 * 3 * 2, adapter.size(), adapter.keySet().toString());
      String p = "base_model.model.model.layers.1.";
      assertEquals(Shape.of(2, 32), adapter.get(p + "self_attn.q_proj.lora_A.weight").shape());
      assertEquals(Shape.of(32, 2), adapter.get(p + "self_attn.q_proj.lora_B.weight").shape());
      assertEquals(Shape.of(16, 2), adapter.get(p + "self_attn.v_proj.lora_B.weight").shape(), "2 KV heads of 8");
      assertEquals(Shape.of(2, 64), adapter.get(p + "mlp.down_proj.lora_A.weight").shape());
      assertEquals(Shape.of(32, 2), adapter.get(p + "mlp.down_proj.lora_B.weight").shape());

      LoadedModel back = tandem.loadModel(e, saved, false);
      assertEquals("lora", back.composition().orElseThrow().strategy());
      assertArrayEquals(expected, logits(e, back), "reloaded composition");
      LoadedModel peft = tandem.loadModel(e, anchor, saved, false);
      assertTrue(peft.adapter().isPresent());
      assertArrayEquals(expected, logits(e, peft), "the same files as a plain PEFT adapter on the anchor");

      Path merged = dir.resolve("merged");
      m.composition().orElseThrow().saveMerged(merged, m.params().readAll());
      LoadedModel full = tandem.loadModel(e, merged, false);
      assertTrue(full.composition().isEmpty() && full.adapter().isEmpty(), "a plain directory");
      assertEquals("llama", new ObjectMapper().readTree(merged.resolve("config.json").toFile()).get("model_type").asText());
      assertClose(expected, logits(e, full), 1e-5f, "merged");
      assertTrue(maxDiff(plain, expected) > 1e-3f, "the adapter changed the model");
    }

    // the CLI: compose (default targets: all-linear), compose --merge, tandem merge of the composed directory
    Path train = dir.resolve("train.jsonl");
    SyntheticTask.ADDITION.generate(4, 32, 8).write(train, dir.resolve("eval.jsonl"));
    List<String> on = List.of("--engine", engine, "--threads", AllEngines.THREADS);
    Path lora = dir.resolve("lora");
    List<String> args = List.of("--strategy", "lora", "--anchor", anchor.toString(), "--rank", "2", "--data", train.toString(),
        "--max-steps", "2", "--save-steps", "1", "--batch-size", "4", "--learning-rate", "1e-2");
    run(on, "compose", concat(args, "--output", lora.toString(), "--merge"));
    // a run stopped after checkpoint-1 resumes from the adapter files to the same bytes
    Path resumed = dir.resolve("resumed");
    run(on, "compose", concat(args, "--output", resumed.toString()));
    AtomicFiles.deleteRecursively(resumed.resolve("checkpoint-2"));
    for (String f : List.of(AdapterDirectory.CONFIG, AdapterDirectory.WEIGHTS, "composition.json")) {
      Files.delete(resumed.resolve(f));
    }
    Cli r = run(on, "compose", concat(args, "--output", resumed.toString(), "--resume"));
    assertTrue(r.out().contains("resuming at step 1"), r.out());
    assertArrayEquals(Files.readAllBytes(lora.resolve(AdapterDirectory.WEIGHTS)), Files.readAllBytes(resumed.resolve(AdapterDirectory.WEIGHTS)));
    JsonNode cfg = new ObjectMapper().readTree(lora.resolve(AdapterDirectory.CONFIG).toFile());
    assertEquals("[\"down_proj\",\"gate_proj\",\"k_proj\",\"o_proj\",\"q_proj\",\"up_proj\",\"v_proj\"]", cfg.get("target_modules").toString());
    Path merged = dir.resolve("merged-cli");
    run(on, "merge", "--model", lora.toString(), "--output", merged.toString());
    try (Engine e = AllEngines.create(engine)) {
      float[] composed = logits(e, tandem.loadModel(e, lora, false));
      assertClose(composed, logits(e, tandem.loadModel(e, lora.resolve("merged"), false)), 1e-5f, "compose --merge");
      assertClose(composed, logits(e, tandem.loadModel(e, merged, false)), 1e-5f, "tandem merge");
    }
  }

  private static String[] concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static void randomiseB(LoadedModel m) {
    Random r = new Random(5);
    for (String n : m.composition().orElseThrow().parameters()) {
      if (n.endsWith("lora_B.weight")) {
        HostTensor h = m.params().read(n);
        float[] v = new float[h.shape().size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (r.nextGaussian() * 0.5);
        }
        m.params().write(n, HostTensor.of(v, h.shape().dims()));
      }
    }
  }

  private static float[] logits(Engine engine, LoadedModel m) {
    int[] ids = {40, 41, 43, 61, 50, 51, 52, 60};
    try (CompiledFunction f = engine.compile(m.params(), (ops, params, in) -> List.of(m.model().forward(ops, params, in.get(0), null, null)));
        Tensor t = engine.upload(HostTensor.ofInts(ids, 1, ids.length))) {
      List<Tensor> out = f.call(List.of(t));
      float[] v = engine.download(out.get(0)).floats();
      out.forEach(Tensor::close);
      return v;
    }
  }

  private static float maxDiff(float[] a, float[] b) {
    float worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  private static void assertClose(float[] expected, float[] actual, float tol, String what) {
    assertEquals(expected.length, actual.length, what);
    float worst = maxDiff(expected, actual);
    assertTrue(worst <= tol, what + ": max |diff| " + worst);
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
