package dev.tandem.cli;

import dev.tandem.api.inject.Tandem;
import dev.tandem.api.objective.InputLayout;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.train.LrSchedule;
import dev.tandem.api.train.TrainerConfig;
import picocli.CommandLine.Option;

/** The optimisation flags shared by training commands (TRL's snake_case names accepted). */
public final class TrainingOptions {
  @Option(names = ConfigFile.FLAG, paramLabel = "FILE.yaml",
      description = "A recipe: YAML whose keys are these flags (learning_rate: 2e-5) or the objective's/strategy's options (beta: 0.1); flags given here override it.")
  java.nio.file.Path config;

  @Option(names = {"--max-steps", "--max_steps"}, defaultValue = "0", description = "Total updates (overrides --epochs when > 0).")
  long maxSteps;

  @Option(names = {"--epochs", "--num-train-epochs", "--num_train_epochs"}, defaultValue = "1", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = {"--batch-size", "--batch_size", "--per-device-train-batch-size", "--per_device_train_batch_size"}, defaultValue = "16", description = "Sequences per update (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"--learning-rate", "--learning_rate", "--lr"}, defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  float learningRate;

  @Option(names = {"--lr-scheduler-type", "--lr_scheduler_type"}, defaultValue = "cosine", description = "constant, linear or cosine (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = {"--warmup-ratio", "--warmup_ratio"}, defaultValue = "0.05", description = "Fraction of steps warming up (default: ${DEFAULT-VALUE}).")
  float warmupRatio;

  @Option(names = {"--optimizer", "--optim"}, defaultValue = "adamw", description = "adamw, rmsprop or sgd (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = {"--weight-decay", "--weight_decay"}, defaultValue = "0.0", description = "Decoupled weight decay (default: ${DEFAULT-VALUE}).")
  float weightDecay;

  @Option(names = {"--max-grad-norm", "--max_grad_norm"}, defaultValue = "1.0", description = "Gradient clipping norm, 0 for none (default: ${DEFAULT-VALUE}).")
  float maxGradNorm;

  @Option(names = {"--seed"}, defaultValue = "42", description = "Seed of the data order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"--logging-steps", "--logging_steps"}, defaultValue = "10", description = "Log every N steps (default: ${DEFAULT-VALUE}).")
  int loggingSteps;

  @Option(names = {"--eval-steps", "--eval_steps"}, defaultValue = "0", description = "Evaluate every N steps, 0 for the end only (default: ${DEFAULT-VALUE}).")
  int evalSteps;

  @Option(names = {"--save-steps", "--save_steps"}, defaultValue = "0", description = "Checkpoint every N steps, 0 for the end only (default: ${DEFAULT-VALUE}).")
  int saveSteps;

  @Option(names = {"--save-total-limit", "--save_total_limit"}, defaultValue = "0", description = "Keep only the newest N checkpoints, 0 for all (default: ${DEFAULT-VALUE}).")
  int saveTotalLimit;

  @Option(names = {"--lora-rank", "--lora-r", "--lora_r"}, defaultValue = "0",
      description = "Train a LoRA adapter of this rank on the frozen model instead of every weight (0, the default: full fine-tuning); the output is an adapter in PEFT's layout (adapter_config.json, adapter_model.safetensors) that names its base.")
  int loraRank;

  @Option(names = {"--lora-alpha", "--lora_alpha"}, description = "LoRA alpha: the update is scaled by alpha / rank (default: 2 x rank).")
  Float loraAlpha;

  @Option(names = {"--lora-targets", "--lora-target-modules", "--lora_target_modules"}, split = ",",
      description = "Modules to adapt, as PEFT matches target_modules (q_proj,v_proj, or all-linear; default: the family's, q_proj,v_proj for Llama and c_attn for GPT-2).")
  java.util.List<String> loraTargets;

  @Option(names = {"--lora-dropout", "--lora_dropout"}, defaultValue = "0",
      description = "LoRA dropout; only 0 is supported (Tandem folds the adapter into the weight, where input dropout cannot act).")
  float loraDropout;

  /**
   * The model to train: {@code dir} whole, or with {@code --lora-rank} a new LoRA adapter on it
   * (frozen), through the facade.
   */
  dev.tandem.api.compose.LoadedModel load(Tandem tandem, dev.tandem.api.engine.Engine engine, java.nio.file.Path dir)
      throws java.io.IOException {
    if (loraRank <= 0) {
      if (loraAlpha != null || loraTargets != null || loraDropout != 0f) {
        throw new IllegalArgumentException("--lora-alpha, --lora-targets and --lora-dropout need --lora-rank");
      }
      return tandem.loadModel(engine, dir, true);
    }
    var lora = new dev.tandem.api.adapter.LoraConfig(
        loraRank, loraAlpha != null ? loraAlpha : 2f * loraRank, loraTargets != null ? loraTargets : java.util.List.of(),
        loraDropout, false);
    return tandem.adapt(engine, dir, lora, seed);
  }

  TrainerConfig trainerConfig() {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, not " + batchSize);
    }
    return new TrainerConfig(maxSteps, epochs, learningRate, LrSchedule.Kind.parse(schedule), warmupRatio, maxGradNorm, loggingSteps, evalSteps, saveSteps, saveTotalLimit);
  }

  Optimizer optimizer() {
    return switch (optimizer.toLowerCase(java.util.Locale.ROOT)) {
      case "adamw", "adamw_torch" -> new AdamW(0.9f, 0.999f, 1e-8f, weightDecay);
      case "rmsprop" -> new RmsProp(0.99f, 1e-8f, weightDecay);
      case "sgd" -> new Sgd();
      default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "', known: adamw, rmsprop, sgd");
    };
  }

  /**
   * The objective named {@code name}, which must train on sequences (the layout of {@code sft} and
   * {@code compose}); an objective of another layout is an error naming the command made for it.
   */
  static Objective sequenceObjective(Tandem tandem, String name) {
    Objective objective = tandem.objective(name);
    if (objective.inputLayout() != InputLayout.SEQUENCES) {
      throw new IllegalArgumentException("objective '" + name + "' trains on " + objective.inputLayout() + ", not on sequences; use the command made for it"
          + (objective.inputLayout() == InputLayout.PREFERENCE_PAIRS ? ": tandem dpo --objective " + name : ""));
    }
    return objective;
  }
}
