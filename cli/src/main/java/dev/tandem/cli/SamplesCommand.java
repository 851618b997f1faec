package dev.tandem.cli;

import dev.tandem.api.data.SampleData;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tandem samples}: writes the bundled WordNet samples (and their licence) to a directory. */
@Command(name = "samples", description = "Write the bundled WordNet definition samples (prompt/completion JSONL) to a directory.")
public final class SamplesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"--output", "-o"}, defaultValue = "data", description = "Directory (default: ${DEFAULT-VALUE}).")
  Path output;

  @Override
  public Integer call() throws Exception {
    for (String name : SampleData.NAMES) {
      spec.commandLine().getOut().println(SampleData.extract(name, output));
    }
    return 0;
  }
}
