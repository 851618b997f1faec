package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.train.Evaluation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem eval}: mean NLL per completion token and greedy exact match; the last line printed
 * is one JSON object.
 */
@Command(name = "eval", description = "Evaluate a model: loss (NLL per completion token), tokens, exact_match.")
public final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = "--model", required = true, description = "Model directory, plain or composed.")
  Path model;

  @Option(names = "--data", required = true, description = "JSONL to evaluate on.")
  Path data;

  @Option(names = {"--batch-size", "--batch_size"}, defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"--limit"}, defaultValue = "0", description = "Evaluate the first N records only, 0 for all.")
  int limit;

  @Option(names = "--adapter", description = "A LoRA adapter directory (PEFT's layout) to apply on --model; an adapter directory given as --model runs on the base it names.")
  Path adapter;

  @Override
  public Integer call() throws Exception {
    Tandem tandem = Tandem.create();
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = adapter == null ? tandem.loadModel(engine, model, false) : tandem.loadModel(engine, model, adapter, false);
      int ctx = lm.config().nPositions();
      SkipReport skips = SkipReport.collecting();
      var records = limit > 0 ? JsonlDataset.read(data, limit) : JsonlDataset.read(data);
      List<Example> examples = JsonlDataset.toExamples(records, new PromptTemplate(lm.tokenizer()), ctx, skips);
      if (!skips.isEmpty()) {
        spec.commandLine().getOut().println("eval: " + data + ": " + skips);
      }
      if (examples.isEmpty()) {
        throw new IllegalArgumentException(data + ": no usable examples");
      }
      Evaluation.Result r = tandem.evaluate(engine, lm, examples, batchSize, true);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("loss", r.loss());
      line.put("tokens", r.tokens());
      line.put("exact_match", r.exactMatch());
      line.put("examples", examples.size());
      line.put("skipped", skips.total());
      spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(line));
    }
    return 0;
  }
}
