package org.example.embedding;

import com.google.inject.AbstractModule;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.SequenceData;
import dev.tandem.api.train.Trainer;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Embeds Tandem: creates a tiny GPT, fine-tunes it for a few SFT steps on a handful of in-memory
 * examples, and completes a prompt. The engine is whichever one {@code ServiceLoader} finds on the
 * module path ({@code TANDEM_ENGINE} picks one by name); the application's {@link LossSink}
 * replaces the framework's {@link TrainingListener} binding.
 *
 * <p>Usage: {@code java -p ... -m org.example.embedding/org.example.embedding.Main [WORK_DIR]};
 * the model and the run go to {@code WORK_DIR} (default: a new temporary directory).
 */
public final class Main {
  /** What the model learns: definitions in the chat template's prompt/completion form. */
  static final List<String[]> EXAMPLES =
      List.of(
          new String[] {"Define cat (noun).", "a small domesticated feline"},
          new String[] {"Define dog (noun).", "a domesticated canine"},
          new String[] {"Define run (verb).", "move fast on foot"},
          new String[] {"Define red (adjective).", "having the colour of blood"},
          new String[] {"Define tree (noun).", "a tall woody plant"},
          new String[] {"Define sing (verb).", "produce musical tones with the voice"},
          new String[] {"Define cold (adjective).", "having a low temperature"},
          new String[] {"Define book (noun).", "a written work bound in covers"});

  static final int STEPS = 40;

  private Main() {}

  public static void main(String[] args) throws Exception {
    Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("tandem-embedding-");

    // 1. The facade, with one binding replaced: trainers created by tandem.trainer(...) report to it.
    LossSink sink = new LossSink(System.out);
    Tandem tandem =
        Tandem.builder()
            .override(
                new AbstractModule() {
                  @Override
                  protected void configure() {
                    bind(TrainingListener.class).toInstance(sink);
                  }
                })
            .build();

    // 2. A tiny GPT with the framework's tokenizer for new models (byte-level unless overridden).
    Tokenizer tokenizer = tandem.tokenizer();
    ModelConfig config = ModelConfig.of(tokenizer.vocabSize(), 1, 2, 32, 64);
    Path base = work.resolve("base");
    ModelDirectory.save(base, config, tokenizer, new Gpt(config).initialWeights(42));

    // 3. The engine: TANDEM_ENGINE if set, else the best available one ServiceLoader found.
    System.out.println("engines found: " + tandem.engines().providers().stream()
        .map(Main::describe).collect(Collectors.joining(", ")));
    try (Engine engine = tandem.engine(null, new EngineOptions("auto", 1))) {
      System.out.println("engine: " + engine.name() + " on " + engine.device());

      // 4. A few SFT steps through the facade.
      LoadedModel model = tandem.loadModel(engine, base, true);
      PromptTemplate template = new PromptTemplate(model.tokenizer());
      List<Example> examples =
          EXAMPLES.stream().map(e -> template.completion(e[0], e[1], "in-memory")).toList();
      int batchSize = 4;
      Batcher batcher = tandem.batcher(model, batchSize);
      TrainerConfig training = TrainerConfig.defaults().withMaxSteps(STEPS).withLearningRate(1e-2f);
      Trainer trainer =
          tandem.trainer(engine, model, tandem.objective("sft"), AdamW.defaults(), training, 1, work.resolve("sft"));
      Trainer.Result result = trainer.train(new SequenceData(examples, batcher, batchSize, 1), List.of(), false);
      List<Double> losses = sink.losses();
      System.out.printf(Locale.ROOT, "trained: %d steps, loss %.4f -> %.4f; the overriding sink saw %d steps%n",
          result.steps(), losses.get(0), result.lastLoss(), losses.size());

      // 5. Greedy generation with the KV cache, in the model's chat template.
      String prompt = EXAMPLES.get(0)[0];
      System.out.println("prompt: " + prompt);
      System.out.println("completion: " + tandem.generate(engine, model, prompt, SamplingConfig.greedy(32)));
    }
  }

  private static String describe(EngineProvider p) {
    var a = p.availability();
    return p.name() + (a.available() ? " (available)" : " (unavailable: " + a.reason() + ")");
  }
}
