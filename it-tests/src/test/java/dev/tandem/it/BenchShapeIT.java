package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tandem bench --shape smollm2-135m --layers 1} at the smallest cost (one step, batch 1 x 16, two
 * new tokens, one round, no peer, and an op profile of two training steps) prints one JSON line with every figure: the SmolLM2 shape is built
 * through the llama family found by {@code model_type}. No timing is asserted beyond being positive.
 */
class BenchShapeIT {
  static final List<String> POSITIVE = List.of("parameters", "matmul_gflops", "copy_bandwidth_gb_per_s",
      "train_tokens_per_second", "forward_tokens_per_second", "mfu", "prefill_tokens_per_second",
      "decode_tokens_per_second_b1", "decode_tokens_per_second_b16", "decode_b1_bound_tokens_per_second",
      "decode_b1_over_bound", "cached_over_naive_per_token", "weight_bytes_per_token", "peak_rss_bytes", "process_peak_rss_bytes",
      "analytic_total_bytes", "rss_over_analytic");

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void smolLm2ShapeWithOneLayerPrintsEveryField(String engine) throws Exception {
    Cli c = Cli.run("bench", "--shape", "smollm2-135m", "--layers", "1", "--steps", "1", "--batch-size", "1", "--seq-len", "16",
        "--new-tokens", "2", "--rounds", "1", "--engine", engine, "--threads", AllEngines.THREADS, "--profile");
    assertEquals(0, c.exit(), c.toString());
    JsonNode r = new ObjectMapper().readTree(c.lastLine());
    assertEquals("smollm2-135m", r.get("shape").asText());
    assertEquals("llama", r.get("model_type").asText());
    assertEquals(engine, r.get("engine").asText());
    assertEquals(1, r.get("layers").asInt());
    assertEquals(256, r.get("ratio_context").asInt());
    for (String f : POSITIVE) {
      assertTrue(r.has(f) && r.get(f).asDouble() > 0, f + " in " + c.lastLine());
    }
    if (dev.tandem.api.bench.HostMemory.resetPeakRss()) { // as on Linux 4.0+ outside sandboxes that refuse it
      assertTrue(r.get("peak_rss_of").asText().startsWith("training"), "the high-water mark was reset: " + r.get("peak_rss_of"));
      assertTrue(r.get("peak_rss_bytes").asLong() >= r.get("rss_before_training_bytes").asLong(),
          "training's peak is at least what was resident when it started: " + c.lastLine());
    }
    for (String f : List.of("weights", "gradients", "adamw", "activations")) {
      assertTrue(r.get("analytic_bytes").get(f).asLong() > 0, f);
    }
    assertTrue(r.get("peer").isTextual(), "no --peer: the reason is given");
    JsonNode profile = r.get("train_op_profile");
    if (engine.equals("djl")) {
      assertTrue(profile.isArray() && profile.size() > 3, "op profile: " + profile);
      double share = 0;
      for (JsonNode op : profile) {
        assertTrue(op.get("calls").asLong() > 0 && op.get("self_ms").asDouble() >= 0, op.toString());
        share += op.get("share").asDouble();
      }
      assertTrue(share > 0.5 && share <= 1.0001, "the top ops hold most of the time: " + share);
      assertTrue(c.toString().contains("training step, op by op"), c.toString());
    } else {
      assertTrue(profile.isTextual(), "an engine without a profiler says so: " + profile);
    }
  }
}
