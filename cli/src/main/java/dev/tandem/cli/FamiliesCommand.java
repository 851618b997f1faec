package dev.tandem.cli;

import dev.tandem.api.inject.Tandem;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem families}: one line per model family found, {@code NAME<TAB>MODEL_TYPES<TAB>CLASS<TAB>ORIGIN},
 * then, indented, what it covers and the {@code config.json} fields it reads; then the tokenizer
 * providers. {@code --model DIR} of any command accepts a directory whose {@code model_type} is
 * listed here.
 */
@Command(name = "families", description = "List the model families found (config.json model_type values that --model DIR accepts) and the tokenizer formats.")
public final class FamiliesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    Tandem tandem = Tandem.create();
    for (ModelFamily f : tandem.modelFormats().families()) {
      out.println(f.name() + "\t" + String.join(",", f.modelTypes()) + "\t" + f.getClass().getName() + "\t"
          + ObjectivesCommand.origin(f.getClass()));
      out.println("  " + f.describe());
      out.println("  reads: " + String.join(", ", f.configFields()));
    }
    out.println("tokenizers: byte-level (Tandem's tokenizer.json)");
    for (TokenizerProvider p : tandem.modelFormats().tokenizers()) {
      out.println("tokenizers: " + p.name() + "\t" + p.getClass().getName() + "\t" + ObjectivesCommand.origin(p.getClass()));
    }
    return 0;
  }
}
