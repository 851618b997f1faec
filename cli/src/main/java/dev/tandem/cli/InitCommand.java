package dev.tandem.cli;

import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tandem init}: a new randomly initialised model directory with the byte tokenizer. */
@Command(name = "init", description = "Create a new random GPT model directory (config.json, model.safetensors, tokenizer.json).")
public final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"--output", "-o"}, required = true, description = "Model directory to create.")
  Path output;

  @Option(names = {"--layers", "--n-layer", "--n_layer"}, defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = {"--heads", "--n-head", "--n_head"}, defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = {"--d-model", "--d_model", "--n-embd", "--n_embd"}, defaultValue = "128", description = "Width (default: ${DEFAULT-VALUE}).")
  int dModel;

  @Option(names = {"--context", "--n-positions", "--n_positions"}, defaultValue = "256", description = "Context length in tokens (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--seed", defaultValue = "42", description = "Initialisation seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    Tokenizer tokenizer = Tandem.create().tokenizer();
    ModelConfig config = ModelConfig.of(tokenizer.vocabSize(), layers, heads, dModel, context);
    Gpt gpt = new Gpt(config);
    var weights = gpt.initialWeights(seed);
    ModelDirectory.save(output, config, tokenizer, weights);
    long n = weights.values().stream().mapToLong(w -> w.shape().size()).sum();
    spec.commandLine().getOut().printf("wrote %s: %,d parameters (%d layers, %d heads, d_model %d, context %d)%n", output, n, layers, heads, dModel, context);
    return 0;
  }
}
