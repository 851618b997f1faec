package dev.tandem.cli;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.data.SkipReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Reading training files for commands: skips are reported on the output, never silent. */
final class Datasets {
  private Datasets() {}

  /**
   * The examples of a JSONL file that fit the context; the others are skipped and reported as
   * {@code task: file: skipped ...}, or are an error when {@code strict}.
   *
   * @throws IllegalArgumentException if no example is left
   */
  static List<Example> examples(Path file, PromptTemplate template, int ctx, boolean strict, PrintWriter out, String task)
      throws IOException {
    SkipReport skips = strict ? SkipReport.strict() : SkipReport.collecting();
    List<Example> ex = JsonlDataset.toExamples(JsonlDataset.read(file), template, ctx, skips);
    if (!skips.isEmpty()) {
      out.printf("%s: %s: %s%n", task, file, skips);
    }
    if (ex.isEmpty()) {
      throw new IllegalArgumentException(file + ": no usable examples");
    }
    return ex;
  }
}
