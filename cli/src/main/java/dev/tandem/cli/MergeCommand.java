package dev.tandem.cli;

import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem merge}: folds a LoRA adapter into its base ({@code W + alpha/r B A}) and writes a
 * full model directory in the base's layout, which transformers loads without PEFT. A composed
 * directory of a strategy that merges ({@code lora}) is merged into its anchor the same way.
 */
@Command(name = "merge", description = "Fold a LoRA adapter (PEFT's layout) into its base and write the full model directory.")
public final class MergeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = "--model", required = true, description = "The adapter directory (on the base it names), or the base with --adapter.")
  Path model;

  @Option(names = "--adapter", description = "The adapter directory, applied on --model instead of the base it names.")
  Path adapter;

  @Option(names = {"--output", "-o"}, required = true, description = "Where the merged model directory goes (replaced atomically).")
  Path output;

  @Override
  public Integer call() throws Exception {
    Tandem tandem = Tandem.create();
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = adapter == null ? tandem.loadModel(engine, model, false) : tandem.loadModel(engine, model, adapter, false);
      var composed = lm.composition().filter(c -> c.composition().mergeable());
      if (composed.isPresent()) { // a lora composition: its anchor with the adapter folded in
        composed.get().saveMerged(output, lm.params().readAll());
        spec.commandLine().getOut().printf("merge: %s composition %s into %s%n", composed.get().strategy(), composed.get().settings(), output);
        return 0;
      }
      if (lm.adapter().isEmpty()) {
        throw new IllegalArgumentException(model + " is not a LoRA adapter (no adapter_config.json); pass the adapter directory");
      }
      lm.saveMerged(output);
      spec.commandLine().getOut().printf("merge: %s with rank %d into %s%n", lm.adapter().get().adapter().config().targets(),
          lm.adapter().get().adapter().config().rank(), output);
    }
    return 0;
  }
}
