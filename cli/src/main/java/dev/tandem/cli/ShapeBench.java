package dev.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.bench.BenchShapes;
import dev.tandem.api.bench.Benchmark;
import dev.tandem.api.bench.HostMemory;
import dev.tandem.api.bench.ShapeBenchmark;
import dev.tandem.api.bench.TrainingMemory;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tandem bench --shape NAME}: a random model of a named shape ({@link BenchShapes}) built through
 * the model family of its {@code model_type}, measured on one engine, optionally taking turns with the
 * PyTorch peer ({@link TorchPeer}) figure by figure: each figure is measured Tandem, peer, Tandem, peer
 * ({@code rounds} times each) and the best of each side is kept. Prints a table and one JSON line.
 */
final class ShapeBench {
  /** Fields compared with the peer, in table order, with the issue-13 target of the Tandem/peer ratio. */
  private static final String[] FIGURES = {
    "train_tokens_per_second", "forward_tokens_per_second", "prefill_tokens_per_second",
    "decode_tokens_per_second_b1", "decode_tokens_per_second_b16", "cached_over_naive_per_token"};

  private final Tandem tandem;
  private final Engine engine;
  private final PrintWriter out;
  private final PrintWriter err;

  ShapeBench(Tandem tandem, Engine engine, PrintWriter out, PrintWriter err) {
    this.tandem = tandem;
    this.engine = engine;
    this.out = out;
    this.err = err;
  }

  /** Measures and prints; returns the JSON object printed. */
  Map<String, Object> run(String shape, int layers, int batch, int seq, int steps, int newTokens, int threads, boolean withPeer, int rounds, boolean profile)
      throws IOException {
    ObjectNode config = BenchShapes.config(shape, layers, tandem.tokenizer().vocabSize());
    String type = config.get("model_type").asText();
    ModelFamily family = tandem.modelFormats().family(type);
    if (family == null) {
      throw new IllegalStateException("no model family reads model_type " + type + " (is models-llama on the module path? see 'tandem families')");
    }
    CausalLM model = family.fromConfig(config, "");
    int depth = BenchShapes.layers(config);
    Parameters params = randomParameters(model);
    // as the facade does after loading a model: the host copies' heap goes back before anything is measured
    dev.tandem.api.io.TensorMaps.releaseHostMemory(params.count(false));
    long n = params.count(false);
    int ctx = model.config().nPositions();
    if (seq > ctx) {
      throw new IllegalArgumentException("--seq-len " + seq + " exceeds the shape's context of " + ctx);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("shape", shape);
    r.put("model_type", type);
    r.put("engine", engine.name());
    r.put("threads", threads);
    r.put("layers", depth);
    r.put("parameters", n);
    r.put("batch", batch);
    r.put("seq_len", seq);
    // the peak and the bandwidth on a process that has run nothing else yet; what the probes leave
    // in the Java heap goes back before training (its own peak is what is reported)
    int hidden = model.config().nEmbd();
    int inter = config.has("intermediate_size") ? config.get("intermediate_size").asInt() : 4 * hidden;
    List<int[]> own = List.of(new int[] {batch * seq, hidden, model.config().vocabSize()}, new int[] {batch * seq, hidden, inter});
    err.println("bench: matmul peak and copy bandwidth");
    err.flush();
    Benchmark probe = new Benchmark(engine, new Benchmark.Subject(shape, model, params), batch, seq, threads);
    double peakBefore = probe.matmulPeak(own);
    double bandwidthBefore = HostMemory.copyBandwidth(threads);
    System.gc();
    r.put("huge_pages_requested", HostMemory.hugePagesRequested(System.getenv("GLIBC_TUNABLES")));
    r.put("glibc_tunables", System.getenv().getOrDefault("GLIBC_TUNABLES", ""));

    Path script = TorchPeer.script();
    String why = withPeer ? TorchPeer.unavailable(script) : "not asked (--peer)";
    if (withPeer && why != null) {
      err.println("bench: the PyTorch peer is not available: " + why);
    }
    Map<String, Double> mine = new LinkedHashMap<>();
    Map<String, Double> theirs = new LinkedHashMap<>();
    JsonNode peerRss = null;
    long trainPeak = -1;
    long peakBeforeTraining = -1;
    boolean trainPeakReset = false;
    boolean peerHugePages = false;
    String peerTunables = "";
    try (ShapeBenchmark b = new ShapeBenchmark(engine, model, params, batch, seq, steps, newTokens);
        TorchPeer peer = why == null ? TorchPeer.start(script, shape, depth, threads, batch, seq, steps, newTokens) : null) {
      String[] peerCommands = {"train", "forward", "prefill", "decode 1", "decode 16", "ctx256"};
      for (int f = 0; f < FIGURES.length; f++) {
        if (f == 0) {
          r.put("rss_before_training_bytes", HostMemory.rssBytes());
          peakBeforeTraining = HostMemory.peakRssBytes();
          trainPeakReset = HostMemory.resetPeakRss();
        }
        for (int round = 0; round < rounds; round++) {
          err.println("bench: " + FIGURES[f] + " round " + (round + 1) + "/" + rounds);
          err.flush();
          double v = switch (f) {
            case 0 -> b.trainTokensPerSecond();
            case 1 -> b.forwardTokensPerSecond();
            case 2 -> b.prefillTokensPerSecond();
            case 3 -> b.decodeTokensPerSecond(1);
            case 4 -> b.decodeTokensPerSecond(16);
            default -> b.cachedOverNaive();
          };
          mine.merge(FIGURES[f], v, Math::max);
          if (peer != null) {
            theirs.merge(FIGURES[f], peer.ask(peerCommands[f]).get(FIGURES[f]).asDouble(), Math::max);
          }
        }
        if (f == 0) {
          trainPeak = HostMemory.peakRssBytes();
        }
      }
      if (peer != null) {
        peerRss = peer.ask("rss");
        peerHugePages = peer.hugePages();
        peerTunables = peer.tunables();
      }
      if (profile) {
        err.println("bench: profiling 2 training steps");
        err.flush();
        engine.profile(() -> b.trainSteps(2)).ifPresentOrElse(p -> r.put("train_op_profile", profileJson(p)),
            () -> r.put("train_op_profile", "the " + engine.name() + " engine has no op profiler"));
        engine.profile(() -> b.forwardCalls(2)).ifPresent(p -> r.put("forward_op_profile", profileJson(p)));
        engine.profile(() -> b.decodeTokensPerSecond(1)).ifPresent(p -> r.put("decode_b1_op_profile", profileJson(p)));
        engine.profile(() -> b.decodeTokensPerSecond(16)).ifPresent(p -> r.put("decode_b16_op_profile", profileJson(p)));
      }
      r.put("prefill_length", b.prefillLength());
      r.put("ratio_context", b.ratioContext());
    }
    // the probes run again after the figures: the best of both is the peak (a busy minute can only lower one)
    err.println("bench: matmul peak and copy bandwidth, again");
    err.flush();
    double peak = Math.max(peakBefore, probe.matmulPeak(own));
    double bandwidth = Math.max(bandwidthBefore, HostMemory.copyBandwidth(threads));
    r.put("matmul_gflops", Benchmark.round(peak));
    r.put("matmul_peak_of", "square 256, 512, 1024, 2048; [B*T, d] x [d, V]; [B*T, d] x [d, MLP]: the best, before and after the figures");
    r.put("copy_bandwidth_gb_per_s", Benchmark.round(bandwidth / 1e9));
    mine.forEach((k, v) -> r.put(k, Benchmark.round(v)));
    double tps = mine.get("train_tokens_per_second");
    r.put("mfu", Benchmark.round(6.0 * n * tps / (peak * 1e9)));
    r.put("mfu_formula", "6 * parameters * train_tokens_per_second / matmul peak");
    r.put("forward_share_of_step", Benchmark.round(tps / mine.get("forward_tokens_per_second")));
    boolean tied = !config.has("tie_word_embeddings") || config.get("tie_word_embeddings").asBoolean();
    long weightBytes = 4 * (n - (tied ? 0 : (long) model.config().vocabSize() * model.config().nEmbd()));
    double bound = bandwidth / weightBytes;
    r.put("weight_bytes_per_token", weightBytes);
    r.put("decode_b1_bound_tokens_per_second", Benchmark.round(bound));
    r.put("decode_b1_over_bound", Benchmark.round(mine.get("decode_tokens_per_second_b1") / bound));
    TrainingMemory m = memory(config, model, n, batch, seq);
    long processPeak = Math.max(peakBeforeTraining, HostMemory.peakRssBytes());
    // the training's own peak where the kernel can reset the high-water mark (on both sides, when
    // the peer runs), else the process's
    if (peerRss != null && !peerRss.has("train_peak_rss_bytes")) {
      trainPeakReset = false;
    }
    long rss = trainPeakReset ? trainPeak : processPeak;
    r.put("peak_rss_bytes", rss);
    r.put("peak_rss_of", trainPeakReset ? "training (VmHWM reset before the first step)" : "the whole process");
    r.put("process_peak_rss_bytes", processPeak);
    r.put("analytic_bytes", Map.of("weights", m.weights(), "gradients", m.gradients(), "adamw", m.optimizer(), "activations", m.activations()));
    r.put("analytic_total_bytes", m.total());
    r.put("analytic_formula", "16 * parameters + 4 * B * T * (L * (4 d + 3 q + 4 kv + 4 I + 2 H T) + 3 V)");
    r.put("rss_over_analytic", Benchmark.round((double) rss / m.total()));
    if (peerRss != null) {
      Map<String, Object> p = new LinkedHashMap<>();
      theirs.forEach((k, v) -> p.put(k, Benchmark.round(v)));
      p.put("peak_rss_bytes", peerPeak(peerRss, trainPeakReset));
      p.put("peak_rss_of", trainPeakReset && peerRss.has("train_peak_rss_bytes") ? "training (VmHWM reset before the first step)" : "the whole process");
      p.put("process_peak_rss_bytes", peerRss.get("peak_rss_bytes").asLong());
      if (peerRss.has("rss_before_training_bytes")) {
        p.put("rss_before_training_bytes", peerRss.get("rss_before_training_bytes").asLong());
      }
      p.put("parameters", peerRss.get("parameters").asLong());
      p.put("torch", peerRss.get("torch").asText());
      p.put("huge_pages_requested", peerHugePages);
      p.put("glibc_tunables", peerTunables);
      r.put("peer", p);
      Map<String, Object> ratio = new LinkedHashMap<>();
      theirs.forEach((k, v) -> ratio.put(k, Benchmark.round(mine.get(k) / v)));
      ratio.put("peak_rss_bytes", Benchmark.round((double) rss / peerPeak(peerRss, trainPeakReset)));
      r.put("over_peer", ratio);
    } else {
      r.put("peer", why);
    }
    table(r, theirs, peerRss);
    out.println(new ObjectMapper().writeValueAsString(r));
    out.flush();
    return r;
  }

  /** The top ops of a profile: name, calls, self milliseconds and share, for the JSON and the table. */
  private static List<Map<String, Object>> profileJson(dev.tandem.api.engine.OpProfile p) {
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (var op : p.top(25)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("op", op.name());
      m.put("calls", op.calls());
      m.put("self_ms", Benchmark.round(op.selfMillis()));
      m.put("share", Benchmark.round(p.share(op)));
      out.add(m);
    }
    return out;
  }

  /** The model's initial weights on the engine; the host map is unreachable once this returns. */
  private Parameters randomParameters(CausalLM model) {
    Map<String, HostTensor> weights = model.initialWeights(0);
    return engine.createParameters(weights, weights.keySet());
  }

  /** The peer's peak comparable with ours: its training's where ours is training's, else its process's. */
  private static long peerPeak(JsonNode peerRss, boolean training) {
    return training && peerRss.has("train_peak_rss_bytes") ? peerRss.get("train_peak_rss_bytes").asLong() : peerRss.get("peak_rss_bytes").asLong();
  }

  private static TrainingMemory memory(ObjectNode c, CausalLM model, long n, int batch, int seq) {
    var s = model.config();
    int hidden = s.nEmbd();
    int heads = s.nHead();
    int kv = c.has("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads;
    int headDim = c.has("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
    int inter = c.has("intermediate_size") ? c.get("intermediate_size").asInt() : 4 * hidden;
    return TrainingMemory.of(n, s.nLayer(), hidden, heads, kv, headDim, inter, s.vocabSize(), batch, seq);
  }

  private void table(Map<String, Object> r, Map<String, Double> theirs, JsonNode peerRss) {
    out.printf("%s (%s, %d layers, %,d parameters) on %s, %d thread(s), batch %d x %d%n", r.get("shape"), r.get("model_type"),
        r.get("layers"), r.get("parameters"), r.get("engine"), r.get("threads"), r.get("batch"), r.get("seq_len"));
    out.printf("%-34s %14s %14s %10s%n", "figure", "tandem", "peer", "ratio");
    for (String f : FIGURES) {
      double mine = ((Number) r.get(f)).doubleValue();
      Double p = theirs.get(f);
      out.printf("%-34s %14.1f %14s %10s%n", f, mine, p == null ? "-" : String.format("%.1f", p),
          p == null ? "-" : String.format("%.2f", mine / p));
    }
    long rss = (Long) r.get("peak_rss_bytes");
    long prss = peerRss == null ? 0 : peerPeak(peerRss, r.get("peak_rss_of").toString().startsWith("training"));
    out.printf("%-34s %14.3f %14s %10s%n", r.get("peak_rss_of").toString().startsWith("training") ? "train_peak_rss_gib" : "peak_rss_gib", rss / 1073741824.0, prss == 0 ? "-" : String.format("%.3f", prss / 1073741824.0),
        prss == 0 ? "-" : String.format("%.2f", (double) rss / prss));
    printProfile(out, r.get("train_op_profile"), "training step, op by op (self time over 2 steps, profiled):");
    printProfile(out, r.get("forward_op_profile"), "forward pass of the loss, op by op (self time over 2 calls, profiled):");
    printProfile(out, r.get("decode_b1_op_profile"), "cached decoding at batch 1, op by op (self time over one decode measurement, profiled):");
    printProfile(out, r.get("decode_b16_op_profile"), "cached decoding at batch 16, op by op (self time over one decode measurement, profiled):");
    out.printf("matmul %.1f GFLOP/s, MFU %.3f; copy %.1f GB/s, batch-1 bound %.1f tokens/s (%.3f of it); analytic %.3f GiB (RSS %.2fx)%n",
        r.get("matmul_gflops"), r.get("mfu"), r.get("copy_bandwidth_gb_per_s"), r.get("decode_b1_bound_tokens_per_second"),
        r.get("decode_b1_over_bound"), (Long) r.get("analytic_total_bytes") / 1073741824.0, r.get("rss_over_analytic"));
  }

  private static void printProfile(PrintWriter out, Object profile, String title) {
    if (profile instanceof List<?> ops) {
      out.println(title);
      for (Object o : ops) {
        Map<?, ?> m = (Map<?, ?>) o;
        out.printf("  %-40s %6s calls %10.1f ms %6.1f%%%n", m.get("op"), m.get("calls"), m.get("self_ms"), 100 * ((Number) m.get("share")).doubleValue());
      }
    }
  }
}
