package dev.tandem.api.inject;

import dev.tandem.api.data.Example;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * What a {@link Workflow} runs with: the facade, the engine, the model (plain or composed, loaded
 * once, trainable), its data, the configured objective and training settings, its own option
 * values, and where output and progress go.
 *
 * @param train the training examples, fitted to the model's context
 * @param eval held-out examples (possibly empty)
 * @param evalName a short name of the held-out data for reports (its file's stem, or {@code train})
 * @param objective the objective, configured with the user's options
 * @param training the trainer settings (learning rate, schedule, epochs, checkpoints)
 * @param batchSize examples (or pairs) per update
 * @param seed the seed of data order, sampling and initialisation
 * @param options the workflow's own options: every declared one, given or default
 * @param resume continue a run in {@code output}
 * @param strict fail on an example that does not fit instead of skipping and reporting it
 * @param progress a listener showing one training run's progress, given its name
 */
public record WorkflowContext(
    Tandem tandem,
    Engine engine,
    LoadedModel model,
    List<Example> train,
    List<Example> eval,
    String evalName,
    Objective objective,
    TrainerConfig training,
    Optimizer optimizer,
    int batchSize,
    long seed,
    OptionValues options,
    Path output,
    boolean resume,
    boolean strict,
    PrintWriter out,
    Function<String, TrainingListener> progress) {
  public WorkflowContext {
    train = List.copyOf(train);
    eval = List.copyOf(eval);
  }
}
