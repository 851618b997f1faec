package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CALM paper's key-value arithmetic experiment through {@code tandem demo calm}, at a reduced
 * size (fewer keys and steps; the same code path as the full run), on DJL (see {@link
 * AllEngines#preferDjl()}). What it asserts is what held over 5 seeds and 1 and 2 threads (a
 * different thread count sums in another order, and training lands elsewhere): CALM answers
 * key-value arithmetic on held-out keys clearly more often than both bases, LoRA on m_B and the
 * full fine-tune of m_B, and the bases do what they were trained for. The composed models must
 * load in {@code eval}, {@code generate} and {@code bench}.
 */
class CalmDemoIT {
  // The spread behind the thresholds: `./tandem demo calm --engine djl --threads T --keys 60
  // --base-steps 1200 --compose-steps 400 --eval-examples 100 --bench-trials 3 --seed S`,
  // S = 1..5, T = 1 and 2 (10 runs), accuracy on key-value arithmetic over held-out keys:
  //   CALM, T=1: 0.54 0.37 0.66 0.36 0.60; T=2: 0.22 0.46 0.51 0.29 0.72 (min 0.22, mean 0.47)
  //   best of m_A, m_B, LoRA on m_B, full fine-tune of m_B: 0.00 to 0.02
  //   CALM minus that best: 0.21 to 0.71 (threshold 0.08)
  //   m_A on kv substitution 0.99 to 1.00, m_B on numeric arithmetic 1.00 (threshold 0.8)
  // One CALM run on another CPU (CI, 1,500 + 500 steps) gave 0.33, the others 0.00 to 0.01.
  static final double MIN_CALM = 0.10;
  static final double MIN_MARGIN = 0.08;
  static final double MIN_BASE = 0.8;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#preferDjl")
  void calmComposesKnowledgeAndSkillThatNeitherBaseHas(String engine) throws Exception {
    Path out = dir.resolve("demo");
    long t0 = System.nanoTime();
    Cli demo = Cli.run("demo", "calm", "--engine", engine, "--threads", AllEngines.THREADS, "--output", out.toString(), "--keys", "60",
        "--base-steps", "1200", "--base-rounds", "1", "--compose-steps", "400", "--eval-examples", "100", "--bench-trials", "5", "--seeds", "1", "--lr-factors", "1");
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, demo.exit(), demo.toString());
    CliCommandsIT.assertRanOn(engine, demo.err(), "demo calm");
    System.out.println(demo.out());
    JsonNode report = new ObjectMapper().readTree(out.resolve("calm_report.json").toFile());
    assertEquals(engine, report.path("setup").path("engine").asText(), "the report names the engine");
    assertEquals(Integer.parseInt(AllEngines.THREADS), report.path("setup").path("threads").asInt(), "and the threads");
    JsonNode test = report.path("accuracy").path("test");
    for (String task : List.of("kv_substitution", "numeric_arithmetic", "kv_arithmetic")) {
      for (String model : List.of("m_A", "m_B", "calm", "lora", "full_finetune")) {
        JsonNode cell = test.path(task).path(model);
        double v = cell.path("mean").asDouble(-1);
        assertTrue(v >= 0 && v <= 1 && cell.path("low").asDouble() <= v && v <= cell.path("high").asDouble() && cell.path("per_seed").size() == 1,
            task + "/" + model + " = " + cell);
        assertTrue(report.path("accuracy").path("validation").path(task).path(model).path("mean").isNumber(), "validation split too");
      }
    }
    JsonNode kv = test.get("kv_arithmetic");
    double calm = kv.get("calm").get("mean").doubleValue();
    double others = 0;
    for (String model : List.of("m_A", "m_B", "lora", "full_finetune")) {
      others = Math.max(others, kv.get(model).get("mean").doubleValue());
    }
    String table = demo.out().substring(demo.out().indexOf("test keys"));
    assertTrue(calm >= MIN_CALM, "CALM learns key-value arithmetic on held-out keys:\n" + table);
    assertTrue(calm - others >= MIN_MARGIN, "CALM beats both bases, LoRA and the full fine-tune by " + MIN_MARGIN + ":\n" + table);
    // the bases do what they were trained for
    assertTrue(test.get("kv_substitution").get("m_A").get("mean").doubleValue() >= MIN_BASE, table);
    assertTrue(test.get("numeric_arithmetic").get("m_B").get("mean").doubleValue() >= MIN_BASE, table);
    assertTrue(report.path("comparisons").size() >= 3 && report.path("error_breakdown").path("kv_substitution").path("calm").has("operand_1"), report.toString());
    JsonNode inf = new ObjectMapper().readTree(out.resolve("calm_timing.json").toFile());
    assertEquals(engine, inf.get("engine").asText(), "the inference ratios were measured on the demo's engine");
    assertTrue(inf.get("calm_over_separate").isNumber() && inf.get("lora_merged_over_anchor").isNumber(), inf.toString());
    // sanity bounds only: 5 timed runs on a shared machine are noisy (calm_over_separate went from
    // 1.08 to 4.06 across the 10 runs behind this test, the high one while the machine was loaded);
    // the full demo measures with 15 runs, its figures are in calm-module/README.md
    assertTrue(inf.get("calm_over_separate").doubleValue() > 0.1 && inf.get("calm_over_separate").doubleValue() < 10, inf.toString());
    assertTrue(inf.get("lora_merged_over_anchor").doubleValue() > 0.1 && inf.get("lora_merged_over_anchor").doubleValue() < 10, inf.toString());
    if (engine.equals("djl")) { // the overhead op by op: DJL has PyTorch's profiler
      JsonNode profile = inf.path("calm_profile");
      assertTrue(profile.path("ops").size() > 5 && profile.path("calm").path("native_op_calls").asLong()
          > profile.path("bases_separately").path("native_op_calls").asLong() / 2, profile.toString());
      assertTrue(demo.out().contains("| op | CALM calls |"), demo.out());
    }
    assertTrue(Files.size(out.resolve("calm_report.png")) > 1000);
    System.out.printf("CalmDemoIT: %s: demo took %.0f s%n", engine, seconds);

    // the composed directories are ordinary inputs of eval and generate
    Path calmDir = out.resolve("seed-1/calm");
    assertTrue(Files.isRegularFile(calmDir.resolve("composition.json")));
    Path heldOut = out.resolve("seed-1/data/test_kv_arithmetic.jsonl");
    Cli eval = Cli.run("eval", "--engine", engine, "--threads", AllEngines.THREADS, "--model", calmDir.toString(), "--data", heldOut.toString(), "--limit", "20");
    assertEquals(0, eval.exit(), eval.toString());
    Map<?, ?> line = new ObjectMapper().readValue(eval.lastLine(), Map.class);
    assertNotNull(line.get("exact_match"), eval.lastLine());
    String prompt = new ObjectMapper().readTree(Files.readAllLines(heldOut).get(0)).get("prompt").asText();
    String expected = new ObjectMapper().readTree(Files.readAllLines(heldOut).get(0)).get("completion").asText();
    Cli gen = Cli.run("generate", "--engine", engine, "--threads", AllEngines.THREADS, "--model", calmDir.toString(), "--prompt", prompt, "--max-new-tokens", "12");
    assertEquals(0, gen.exit(), gen.toString());
    assertTrue(gen.out().strip().matches("[0-9+=-]+"), "digits and operators: " + gen.out() + " (expected " + expected + ")");
    Cli loraGen = Cli.run("generate", "--engine", engine, "--threads", AllEngines.THREADS, "--model", out.resolve("seed-1/lora").toString(), "--prompt", prompt, "--max-new-tokens", "12");
    assertEquals(0, loraGen.exit(), loraGen.toString());

    // a base that changed after composing is a clear error, not silently different weights
    Path augmentDir = out.resolve("seed-1/m_A");
    dev.tandem.api.io.ModelDirectory md = dev.tandem.api.io.ModelDirectory.load(out.resolve("seed-1/m_A/init"));
    dev.tandem.api.io.ModelDirectory.save(augmentDir, md.config(), md.tokenizer(), md.weights());
    Cli changed = Cli.run("eval", "--engine", engine, "--model", calmDir.toString(), "--data", heldOut.toString());
    assertEquals(1, changed.exit(), changed.toString());
    assertTrue(changed.err().contains("has changed since the composition was made"), changed.err());
    // calm without an augmenting model: the error says what is missing
    Cli noAugment = Cli.run("compose", "--strategy", "calm", "--anchor", out.resolve("seed-1/m_B").toString(), "--data", heldOut.toString(), "--output", dir.resolve("x").toString());
    assertEquals(1, noAugment.exit(), noAugment.toString());
    assertTrue(noAugment.err().contains("--augment"), noAugment.err());
  }

  /**
   * Same seeds, engine and threads: the same report, byte for byte (a tiny configuration, two seeds
   * and the ablation rows, run twice). Timings live in {@code calm_timing.json}, apart.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#preferDjl")
  void aRerunWithTheSameSeedsWritesTheSameReport(String engine) throws Exception {
    byte[][] reports = new byte[2][];
    for (int run = 0; run < 2; run++) {
      Path out = dir.resolve("tiny" + run);
      Cli demo = Cli.run("demo", "calm", "--engine", engine, "--threads", AllEngines.THREADS, "--output", out.toString(), "--keys", "30", "--base-steps", "20",
          "--compose-steps", "10", "--eval-examples", "8", "--bench-trials", "5", "--seeds", "2", "--ablations", "true", "--seed", "7",
          "--eval-every", "5", "--lr-factors", "1,0.5");
      assertEquals(0, demo.exit(), demo.toString());
      reports[run] = Files.readAllBytes(out.resolve("calm_report.json"));
      JsonNode r = new ObjectMapper().readTree(reports[run]);
      assertEquals("[7,8]", r.path("setup").path("seeds").toString().replace(" ", ""));
      assertEquals(6, r.path("ablations").size(), r.toString());
      // 20 base steps teach nothing: every base takes its second round; the first best on validation is kept
      for (String base : List.of("m_A", "m_B", "m_B_plain")) {
        for (JsonNode seed : r.path("base_training").path(base)) {
          List<Double> v = new java.util.ArrayList<>();
          seed.path("validation_per_round").forEach(x -> v.add(x.asDouble()));
          assertTrue(v.size() == 2 || v.get(0) >= 0.95, seed.toString());
          int chosen = seed.path("chosen_round").asInt();
          assertEquals(v.indexOf(java.util.Collections.max(v)) + 1, chosen, seed.toString());
          assertEquals(20L * chosen, seed.path("steps").asLong(), seed.toString());
        }
      }
      // the rates: a grid on the first seed, its choice on the second; checkpoints every 5 steps, one kept on validation
      for (String model : List.of("calm", "lora", "full_finetune", "calm_paper")) {
        JsonNode seeds = r.path("compose_training").path(model);
        assertEquals(2, seeds.size(), model + ": " + seeds);
        assertEquals(model.equals("calm_paper") ? 1 : 2, seeds.get(0).path("tried").size(), model + ": " + seeds);
        assertEquals(1, seeds.get(1).path("tried").size(), model + ": " + seeds);
        assertEquals(seeds.get(0).path("kept_lr"), seeds.get(1).path("tried").get(0).path("lr"), "the second seed trains at the first seed's choice: " + seeds);
        for (JsonNode seed : seeds) {
          double best = -1;
          for (JsonNode t : seed.path("tried")) {
            assertEquals("[5,10]", t.path("steps").toString(), seed.toString());
            for (JsonNode v : t.path("validation_kv_arithmetic")) {
              best = Math.max(best, v.asDouble());
            }
          }
          double keptValue = -1;
          for (JsonNode t : seed.path("tried")) {
            if (t.path("lr").equals(seed.path("kept_lr"))) {
              keptValue = t.path("validation_kv_arithmetic").get(seed.path("kept_step").asInt() / 5 - 1).asDouble();
            }
          }
          assertEquals(best, keptValue, "the kept checkpoint is the best on validation: " + seed);
        }
      }
      assertTrue(Files.isRegularFile(out.resolve("calm_report.md")) && Files.isRegularFile(out.resolve("calm_timing.json")) && Files.isRegularFile(out.resolve("calm_inference.md")));
    }
    assertEquals(new String(reports[0], java.nio.charset.StandardCharsets.UTF_8), new String(reports[1], java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(java.util.Arrays.equals(reports[0], reports[1]), "byte-identical reports");
  }
}
