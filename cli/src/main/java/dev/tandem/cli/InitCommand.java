package dev.tandem.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.bench.BenchShapes;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.io.CheckpointFiles;
import dev.tandem.api.io.JsonFiles;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.Tokenizers;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem init}: a new randomly initialised model directory with the byte tokenizer: a
 * Tandem GPT of the given size, or with {@code --shape} a Hub-layout model of a named real shape
 * ({@link BenchShapes}: SmolLM2-135M's or Qwen3-0.6B's), stored in F32 or BF16, for measuring
 * training and memory at real sizes without downloading anything.
 */
@Command(name = "init", description = "Create a new random model directory (config.json, model.safetensors, tokenizer.json): a GPT, or with --shape a Hub-layout model of a real model's shape.")
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

  @Option(names = "--shape", description = "A real model's shape instead of a GPT: ${COMPLETION-CANDIDATES} (random weights, byte tokenizer; its full depth unless --layers is given).",
      completionCandidates = Shapes.class)
  String shape;

  @Option(names = "--dtype", defaultValue = "float32", description = "How --shape's weights are stored: float32 or bfloat16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  /** The shape names, for picocli's help. */
  static final class Shapes extends java.util.ArrayList<String> {
    Shapes() {
      super(BenchShapes.NAMES);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (shape != null) {
      return shaped();
    }
    Tokenizer tokenizer = Tandem.create().tokenizer();
    ModelConfig config = ModelConfig.of(tokenizer.vocabSize(), layers, heads, dModel, context);
    Gpt gpt = new Gpt(config);
    var weights = gpt.initialWeights(seed);
    ModelDirectory.save(output, config, tokenizer, weights);
    long n = weights.values().stream().mapToLong(w -> w.shape().size()).sum();
    spec.commandLine().getOut().printf("wrote %s: %,d parameters (%d layers, %d heads, d_model %d, context %d)%n", output, n, layers, heads, dModel, context);
    return 0;
  }

  private Integer shaped() throws Exception {
    String floatType = switch (dtype) {
      case "float32" -> "F32";
      case "bfloat16" -> "BF16";
      default -> throw new IllegalArgumentException("--dtype must be float32 or bfloat16, not " + dtype);
    };
    Tandem tandem = Tandem.create();
    Tokenizer tokenizer = tandem.tokenizer();
    boolean depthGiven = spec.commandLine().getParseResult().hasMatchedOption("--layers");
    ObjectNode config = BenchShapes.config(shape, depthGiven ? layers : 0, tokenizer.vocabSize());
    config.put("torch_dtype", dtype);
    String type = config.get("model_type").asText();
    ModelFamily family = tandem.modelFormats().family(type);
    if (family == null) {
      throw new IllegalStateException("no model family reads model_type " + type + " (see 'tandem families')");
    }
    Map<String, HostTensor> weights = family.fromConfig(config, "").initialWeights(seed);
    long n = weights.values().stream().mapToLong(w -> w.shape().size()).sum();
    AtomicFiles.writeDirectory(output, staged -> {
      JsonFiles.write(staged.resolve(ModelDirectory.CONFIG), config);
      Tokenizers.save(staged.resolve(ModelDirectory.TOKENIZER), tokenizer);
      CheckpointFiles.write(staged, weights, floatType);
    });
    spec.commandLine().getOut().printf("wrote %s: a random %s of shape %s, %,d parameters (%d layers), %s%n",
        output, type, shape, n, BenchShapes.layers(config), dtype);
    return 0;
  }
}
