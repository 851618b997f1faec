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
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.demo.SyntheticTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LoRA for every objective, in PEFT's layout: an adapter trained by {@code sft --lora-rank} on a
 * random Llama model holds PEFT's keys and shapes, runs on its base to the logits of the merged full
 * model ({@code tandem merge}), resumes from a checkpoint to the same bytes, and {@code spin
 * --lora-rank} self-plays two iterations with one base in memory.
 */
class LoraIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void anAdapterInPeftLayoutEqualsItsMergedModelAndResumesToTheSameBytes(String engine) throws Exception {
    Path base = TinyHubModels.llama(dir.resolve("base"), 32, 2, 4);
    Path train = dir.resolve("train.jsonl");
    Path eval = dir.resolve("eval.jsonl");
    SyntheticTask.ADDITION.generate(4, 48, 8).write(train, eval);
    List<String> args = List.of("sft", "--engine", engine, "--threads", AllEngines.THREADS, "--model", base.toString(),
        "--data", train.toString(), "--max-steps", "6", "--save-steps", "3", "--batch-size", "4", "--learning-rate", "2e-2",
        "--lora-rank", "4", "--lora-alpha", "8", "--lora-targets", "q_proj,v_proj,o_proj,up_proj,down_proj", "--seed", "5");

    Path straight = dir.resolve("straight");
    Cli a = run(args, "--output", straight.toString());
    Path weights = straight.resolve(AdapterDirectory.WEIGHTS);
    assertFalse(Files.exists(straight.resolve("model.safetensors")), "an adapter run writes the adapter only");

    // PEFT's config and names: base_model.model.<module>.lora_A.weight [r, in], lora_B [out, r]
    JsonNode cfg = new ObjectMapper().readTree(straight.resolve(AdapterDirectory.CONFIG).toFile());
    assertEquals("LORA", cfg.get("peft_type").asText());
    assertEquals("CAUSAL_LM", cfg.get("task_type").asText());
    assertEquals(4, cfg.get("r").asInt());
    assertEquals(8.0, cfg.get("lora_alpha").asDouble());
    assertFalse(cfg.get("fan_in_fan_out").asBoolean());
    assertEquals(base.toAbsolutePath().normalize().toString(), cfg.get("base_model_name_or_path").asText());
    Map<String, HostTensor> adapter = Safetensors.read(weights);
    assertEquals(2 * 5 * 2, adapter.size(), adapter.keySet().toString());
    String p = "base_model.model.model.layers.1.";
    assertEquals(Shape.of(4, 32), adapter.get(p + "self_attn.q_proj.lora_A.weight").shape());
    assertEquals(Shape.of(32, 4), adapter.get(p + "self_attn.q_proj.lora_B.weight").shape());
    assertEquals(Shape.of(16, 4), adapter.get(p + "self_attn.v_proj.lora_B.weight").shape(), "2 KV heads of 8");
    assertEquals(Shape.of(4, 64), adapter.get(p + "mlp.down_proj.lora_A.weight").shape());
    assertEquals(Shape.of(64, 4), adapter.get(p + "mlp.up_proj.lora_B.weight").shape());
    assertTrue(adapter.get(p + "mlp.up_proj.lora_B.weight").floats()[0] != 0f, "B trained away from zero");

    // the adapter on its base gives the merged model's logits
    Path merged = dir.resolve("merged");
    Cli m = run(List.of("merge", "--engine", engine, "--threads", AllEngines.THREADS, "--model", straight.toString()), "--output", merged.toString());
    CliCommandsIT.assertRanOn(engine, m.err(), "merge");
    assertTrue(Files.isRegularFile(merged.resolve("model.safetensors")));
    Tandem tandem = Tandem.create();
    try (Engine e = AllEngines.create(engine)) {
      float[] withAdapter = logits(e, tandem.loadModel(e, straight, false));
      float[] full = logits(e, tandem.loadModel(e, merged, false));
      float[] plain = logits(e, tandem.loadModel(e, base, false));
      float worst = 0;
      float moved = 0;
      for (int i = 0; i < full.length; i++) {
        worst = Math.max(worst, Math.abs(withAdapter[i] - full[i]));
        moved = Math.max(moved, Math.abs(plain[i] - full[i]));
      }
      assertTrue(worst <= 1e-5f, "adapter vs merged: max |diff| " + worst);
      assertTrue(moved > 1e-3f, "the adapter changed the model: " + moved);
    }

    // a run stopped after checkpoint-3 resumes to the same adapter bytes
    Path resumed = dir.resolve("resumed");
    run(args, "--output", resumed.toString());
    AtomicFiles.deleteRecursively(resumed.resolve("checkpoint-6"));
    for (String f : List.of(AdapterDirectory.CONFIG, AdapterDirectory.WEIGHTS, "config.json")) {
      Files.deleteIfExists(resumed.resolve(f));
    }
    Cli r = run(args, "--output", resumed.toString(), "--resume");
    assertTrue(r.out().contains("resuming at step 3"), r.out());
    assertArrayEquals(Files.readAllBytes(weights), Files.readAllBytes(resumed.resolve(AdapterDirectory.WEIGHTS)));
    assertTrue(a.out().contains("sft: done at step 6"), a.out());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void spinWithLoraSelfPlaysTwoIterations(String engine) throws Exception {
    Path base = TinyHubModels.llama(dir.resolve("base"), 32, 2, 6);
    Path train = dir.resolve("train.jsonl");
    Path eval = dir.resolve("eval.jsonl");
    SyntheticTask.ADDITION.generate(4, 24, 8).write(train, eval);
    Path out = dir.resolve("spin");
    run(List.of("spin", "--engine", engine, "--threads", AllEngines.THREADS, "--model", base.toString(), "--data", train.toString(),
        "--eval-data", eval.toString(), "--iterations", "2", "--epochs-per-iteration", "1", "--batch-size", "4",
        "--max-new-tokens", "6", "--lora-rank", "8"), "--output", out.toString());
    for (int t = 0; t < 2; t++) {
      Path iter = out.resolve("iter-" + t);
      assertTrue(SelfPlay.finished(out, t), "iter-" + t);
      assertTrue(Files.isRegularFile(iter.resolve(AdapterDirectory.CONFIG)), "iter-" + t + " is an adapter");
      assertFalse(Files.exists(iter.resolve("model.safetensors")), "one base: no full copy per iteration");
    }
    try (Stream<Path> s = Files.list(out)) {
      assertTrue(s.noneMatch(x -> x.getFileName().toString().equals("model.safetensors")));
    }
    // iter-1's adapter runs on the base it names
    Tandem tandem = Tandem.create();
    try (Engine e = AllEngines.create(engine)) {
      assertTrue(tandem.loadModel(e, out.resolve("iter-1"), false).adapter().isPresent());
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

  private static Cli run(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    Cli c = Cli.run(all.toArray(String[]::new));
    assertEquals(0, c.exit(), String.join(" ", all) + ": " + c);
    return c;
  }
}
