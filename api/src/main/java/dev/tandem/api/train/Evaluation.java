package dev.tandem.api.train;

import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Held-out evaluation of a causal LM: NLL per completion token and greedy exact match. */
public final class Evaluation {
  private Evaluation() {}

  /**
   * @param loss mean negative log-likelihood per completion token (nats)
   * @param tokens completion tokens scored
   * @param exactMatch fraction of examples with a prompt whose greedy completion equals the
   *     reference (null when no example has a prompt)
   */
  public record Result(double loss, long tokens, Double exactMatch) {}

  public static Result run(
      Engine engine, CausalLM model, Parameters params, Tokenizer tokenizer, List<Example> examples, Batcher batcher, int batchSize) {
    double nll = 0;
    long tokens = 0;
    SftObjective sft = new SftObjective();
    LossFunction loss = (ops, p, in) -> sft.loss(ops, model, p, in);
    try (TrainStep scorer = engine.trainStep(params, loss, new Sgd(), new TrainStepOptions(0))) {
      for (List<HostTensor> b : SequenceData.inOrder(examples, batcher, batchSize)) {
        StepResult r = scorer.evaluate(b);
        double n = r.metrics().get("tokens");
        nll += r.loss() * n;
        tokens += Math.round(n);
      }
    }
    return new Result(tokens == 0 ? Double.NaN : nll / tokens, tokens, exactMatch(engine, model, params, tokenizer, examples, batchSize));
  }

  /** Fraction of examples (with a prompt) whose greedy completion is exactly the reference. */
  public static Double exactMatch(
      Engine engine, CausalLM model, Parameters params, Tokenizer tokenizer, List<Example> examples, int batchSize) {
    int ctx = model.config().nPositions();
    List<int[]> prompts = new ArrayList<>();
    List<int[]> refs = new ArrayList<>();
    int longestPrompt = 0;
    int longestRef = 0;
    for (Example e : examples) {
      if (e.promptLength() == 0) {
        continue;
      }
      int[] prompt = Arrays.copyOf(e.tokens(), e.promptLength());
      int end = e.tokens().length;
      if (end > e.promptLength() && e.tokens()[end - 1] == tokenizer.eosId()) {
        end--;
      }
      prompts.add(prompt);
      refs.add(Arrays.copyOfRange(e.tokens(), e.promptLength(), end));
      longestPrompt = Math.max(longestPrompt, prompt.length);
      longestRef = Math.max(longestRef, end - e.promptLength());
    }
    if (prompts.isEmpty()) {
      return null;
    }
    int maxNew = Math.max(1, Math.min(longestRef + 1, ctx - longestPrompt));
    List<int[]> outs;
    try (Generator g = new Generator(engine, model, params, tokenizer.eosId(), tokenizer.padId())) {
      outs = g.generate(prompts, SamplingConfig.greedy(maxNew), batchSize);
    }
    int hits = 0;
    for (int i = 0; i < refs.size(); i++) {
      if (Arrays.equals(outs.get(i), refs.get(i))) {
        hits++;
      }
    }
    return (double) hits / refs.size();
  }
}
