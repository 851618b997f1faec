package dev.tandem.cli;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.compose.LoadedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tandem generate}: completes prompts with the training prompt template. */
@Command(name = "generate", description = "Generate a completion for each --prompt (batched, with a KV cache).")
public final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = "--model", required = true, description = "Model directory, plain or composed.")
  Path model;

  @Option(names = "--prompt", required = true, description = "Prompt text; repeat for a batch.")
  List<String> prompts = new ArrayList<>();

  @Option(names = {"--max-new-tokens", "--max_new_tokens"}, defaultValue = "64", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = {"--top-k", "--top_k"}, defaultValue = "0", description = "Sample from the k most likely tokens, 0 for all.")
  int topK;

  @Option(names = {"--top-p", "--top_p"}, defaultValue = "1.0", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).")
  float topP;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--raw", description = "Use the prompt text as is, without the chat template.")
  boolean raw;

  @Option(names = "--adapter", description = "A LoRA adapter directory (PEFT's layout) to apply on --model; an adapter directory given as --model runs on the base it names.")
  Path adapter;

  @Override
  public Integer call() throws Exception {
    SamplingConfig sampling = new SamplingConfig(maxNewTokens, temperature, topK, topP, seed);
    Tandem tandem = Tandem.create();
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = adapter == null ? tandem.loadModel(engine, model, false) : tandem.loadModel(engine, model, adapter, false);
      for (String completion : tandem.generate(engine, lm, prompts, sampling, raw)) {
        spec.commandLine().getOut().println(completion);
      }
    }
    return 0;
  }
}
