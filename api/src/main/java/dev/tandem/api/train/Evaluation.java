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
import dev.tandem.api.objective.Objective;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    return run(engine, model, params, tokenizer, examples, batcher, batchSize, true);
  }

  /**
   * As {@link #run(Engine, CausalLM, Parameters, Tokenizer, List, Batcher, int)}, with greedy exact
   * match only when {@code withExactMatch} (it generates, which costs far more than scoring).
   */
  public static Result run(
      Engine engine,
      CausalLM model,
      Parameters params,
      Tokenizer tokenizer,
      List<Example> examples,
      Batcher batcher,
      int batchSize,
      boolean withExactMatch) {
    Map<String, Double> m =
        averaged(engine, model, params, new SftObjective(), SequenceData.inOrder(examples, batcher, batchSize), "tokens");
    Double em = withExactMatch ? exactMatch(engine, model, params, tokenizer, examples, batchSize) : null;
    return new Result(m.get("loss"), Math.round(m.get("tokens")), em);
  }

  /**
   * An objective's loss and metrics over evaluation batches, without updating anything. Each value
   * is the mean over batches weighted by the metric {@code weight} (e.g. {@code tokens} for SFT,
   * {@code pairs} for preference objectives; every batch weighs 1 when the objective does not
   * report it); the weight itself is summed.
   *
   * @return {@code loss}, then the objective's metrics, in the order it reports them
   */
  public static Map<String, Double> averaged(
      Engine engine, CausalLM model, Parameters params, Objective objective, List<List<HostTensor>> batches, String weight) {
    LossFunction loss = (ops, p, in) -> objective.loss(ops, model, p, in);
    Map<String, Double> sums = new LinkedHashMap<>();
    double total = 0;
    try (TrainStep scorer = engine.trainStep(params, loss, new Sgd(), new TrainStepOptions(0))) {
      for (List<HostTensor> b : batches) {
        StepResult r = scorer.evaluate(b);
        double w = r.metrics().containsKey(weight) ? r.metrics().get(weight) : 1.0;
        total += w;
        sums.merge("loss", (double) r.loss() * w, Double::sum);
        for (Map.Entry<String, Float> e : r.metrics().entrySet()) {
          if (!e.getKey().equals(weight)) {
            sums.merge(e.getKey(), (double) e.getValue() * w, Double::sum);
          }
        }
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : sums.entrySet()) {
      out.put(e.getKey(), total == 0 ? Double.NaN : e.getValue() / total);
    }
    if (!out.containsKey("loss")) {
      out.put("loss", Double.NaN);
    }
    out.put(weight, total);
    return out;
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
    try (Generator g = new Generator(engine, model, params, tokenizer.eosId(), tokenizer.padId(), tokenizer.vocabSize())) {
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
