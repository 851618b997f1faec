package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.bench.Benchmark;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.ComposedModel;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem bench}: one JSON line per engine with the matmul peak, training throughput, MFU and
 * cached versus naive generation, all measured in this run. For a composed model also its bases'
 * generation, run separately on the same prompts: {@code generate_time_over_anchor} and {@code
 * generate_time_over_bases_separately} (time ratios); with {@code --baseline}, {@code
 * generate_time_over_baseline}. With {@code --shape NAME}: a random model of a named real shape (see
 * {@link ShapeBench}), with {@code --peer} against the PyTorch peer in the same invocation.
 */
@Command(name = "bench", description = "Measure engines: matmul peak, training MFU, generation with and without the KV cache; for a composed model also against its bases run separately.")
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = "--model", description = "Model directory, plain or composed (default: the reference model, 4 layers, 4 heads, d_model 128, context 64).")
  Path model;

  @Option(names = "--baseline", description = "Another model directory whose cached generation is timed against --model's (e.g. the anchor, for a merged LoRA model).")
  Path baseline;

  @Option(names = {"--batch-size", "--batch_size"}, defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--steps", defaultValue = "20", description = "Timed training steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = {"--new-tokens", "--max-new-tokens", "--max_new_tokens"}, defaultValue = "48", description = "Tokens generated per prompt (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--generate-trials", defaultValue = "5", description = "Timed runs per model when comparing generation, taking turns; ratios are the median over runs (default: ${DEFAULT-VALUE}).")
  int trials;

  @Option(names = "--compare-only", description = "With a composed --model or --baseline: only time generation against the bases or the baseline (skip the matmul peak, training and naive generation).")
  boolean compareOnly;

  @Option(names = "--bench-threads", defaultValue = "1", description = "Intra-op threads for every measurement (default: ${DEFAULT-VALUE}: on a shared machine one core gives stable ratios; --threads overrides).")
  int benchThreads;

  @Option(names = "--shape", description = "A random model of a named shape: tiny, smollm2-135m or qwen3-0.6b (training, prefill, decode, memory; see benchmarks/README.md).")
  String shape;

  @Option(names = "--layers", defaultValue = "0", description = "With --shape: keep this many layers (0: the shape's depth).")
  int layers;

  @Option(names = {"--seq-len", "--seq_len"}, defaultValue = "64", description = "With --shape: training and prefill sequence length (default: ${DEFAULT-VALUE}).")
  int seqLen;

  @Option(names = "--peer", description = "With --shape: also run the PyTorch peer (benchmarks/torch_peer.py, /usr/bin/python3 with torch), taking turns, and report Tandem/peer ratios.")
  boolean peer;

  @Option(names = "--rounds", defaultValue = "2", description = "With --shape: measurements per figure and side, taking turns with the peer; the best is kept (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--profile", description = "With --shape: after the figures, profile 2 training steps, 2 forward passes and cached decoding at batch 1 and 16, op by op (self time per native op; engines with a profiler: djl).")
  boolean profile;

  private int threads;

  @Override
  public Integer call() throws Exception {
    threads = engineOptions.threads > 0 ? engineOptions.threads : benchThreads;
    Tandem tandem = Tandem.create();
    List<EngineProvider> chosen = new ArrayList<>();
    if (engineOptions.engine != null) {
      chosen.add(tandem.engines().select(engineOptions.engine, Map.of()));
    } else {
      tandem.engines().providers().stream().filter(p -> p.availability().available()).forEach(chosen::add);
    }
    if (chosen.isEmpty()) {
      throw new IllegalStateException("no engine is available (see 'tandem engines')");
    }
    ObjectMapper json = new ObjectMapper();
    for (EngineProvider p : chosen) {
      try (Engine engine = p.create(new EngineOptions(engineOptions.device, threads))) {
        EngineOptionsMixin.announce(spec.commandLine().getErr(), engine, threads);
        if (shape != null) {
          new ShapeBench(tandem, engine, spec.commandLine().getOut(), spec.commandLine().getErr())
              .run(shape, layers, batch, seqLen, steps, newTokens, threads, peer, Math.max(1, rounds), profile);
          continue;
        }
        Benchmark.Subject subject;
        Optional<ComposedModel> composed = Optional.empty();
        if (model != null) {
          LoadedModel lm = tandem.loadModel(engine, model, true);
          subject = new Benchmark.Subject("model", lm.model(), lm.params());
          composed = lm.composition();
        } else {
          ModelConfig config = ModelConfig.of(tandem.tokenizer().vocabSize(), 4, 4, 128, 64);
          Map<String, HostTensor> weights = new Gpt(config).initialWeights(0);
          subject = new Benchmark.Subject("model", new Gpt(config), engine.createParameters(weights, weights.keySet()));
        }
        int seq = Math.min(64, subject.model().config().nPositions());
        Benchmark bench = new Benchmark(engine, subject, batch, seq, threads);
        if (compareOnly && composed.isEmpty() && baseline == null) {
          throw new IllegalArgumentException("--compare-only needs a composed --model or a --baseline");
        }
        Map<String, Object> r = compareOnly ? bench.header() : bench.run(steps, newTokens);
        List<Benchmark.Subject> bases = new ArrayList<>();
        if (composed.isPresent()) {
          for (BaseModel b : composed.get().bases()) {
            LoadedModel base = tandem.loadModel(engine, b.path(), false);
            bases.add(new Benchmark.Subject(b.label(), base.model(), base.params()));
          }
        }
        Benchmark.Subject base = null;
        if (baseline != null) {
          LoadedModel b = tandem.loadModel(engine, baseline, false);
          base = new Benchmark.Subject("baseline", b.model(), b.params());
        }
        bench.compare(r, composed.map(ComposedModel::strategy).orElse(null), bases, base, newTokens, trials);
        spec.commandLine().getOut().println(json.writeValueAsString(r));
        spec.commandLine().getOut().flush();
      }
    }
    return 0;
  }
}
