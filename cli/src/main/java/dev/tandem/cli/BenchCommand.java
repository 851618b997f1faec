package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem bench}: one JSON line per engine with the matmul peak, training throughput, MFU and
 * cached versus naive generation, all measured in this run.
 */
@Command(name = "bench", description = "Measure engines: matmul peak, training MFU, generation with and without the KV cache.")
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = "--model", description = "Model directory (default: the reference model, 4 layers, 4 heads, d_model 128, context 64).")
  Path model;

  @Option(names = {"--batch-size", "--batch_size"}, defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--steps", defaultValue = "20", description = "Timed training steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = {"--new-tokens", "--max-new-tokens", "--max_new_tokens"}, defaultValue = "48", description = "Tokens generated per prompt (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--bench-threads", defaultValue = "1", description = "Intra-op threads for every measurement (default: ${DEFAULT-VALUE}: on a shared machine one core gives stable ratios; --threads overrides).")
  int benchThreads;

  private int threads;

  @Override
  public Integer call() throws Exception {
    threads = engineOptions.threads > 0 ? engineOptions.threads : benchThreads;
    Tandem tandem = Tandem.create();
    ModelConfig config;
    Map<String, HostTensor> weights;
    if (model != null) {
      ModelDirectory dir = ModelDirectory.load(model);
      config = dir.config();
      weights = dir.weights();
    } else {
      config = ModelConfig.of(tandem.tokenizer().vocabSize(), 4, 4, 128, 64);
      weights = new Gpt(config).initialWeights(0);
    }
    CausalLM lm = new Gpt(config);
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
        int seq = Math.min(64, config.nPositions());
        Map<String, Object> r = new Benchmark(engine, lm, weights, batch, seq, threads).run(steps, newTokens);
        spec.commandLine().getOut().println(json.writeValueAsString(r));
        spec.commandLine().getOut().flush();
      }
    }
    return 0;
  }
}
