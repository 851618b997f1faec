package dev.tandem.api.train;

import dev.tandem.api.data.Batch;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.SequenceLogProbs;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The summed completion log-probs of sequences under a model's current parameters: a compiled,
 * batched forward pass and nothing else (no gradients, no optimizer state). This is how DPO and SPIN
 * precompute the reference model's log-probs, so that training holds one model instead of two. An
 * objective whose {@link dev.tandem.api.objective.Objective#needsReference()} is false skips this:
 * {@link #unscored} fills in zeros.
 */
public final class ReferenceLogProbs implements AutoCloseable {
  private final Engine engine;
  private final CompiledFunction scorer;

  /** Scores with {@code model} over {@code params} as they are at each call. */
  public ReferenceLogProbs(Engine engine, CausalLM model, Parameters params) {
    this.engine = engine;
    // inputs: ids [B,T], targets [B,T], mask [B,T]; output: summed log-probs [B]
    this.scorer =
        engine.compile(
            params,
            (ops, p, in) ->
                List.of(ops.tidy(() -> ops.sum(
                    SequenceLogProbs.perToken(ops, model, p, in.get(0), in.get(1), in.get(2)), 1, false))));
  }

  /**
   * The summed log-probs of each example's completion tokens, in input order. Examples are batched
   * by length ({@code batcher}'s batch size and buckets) so that little is padding.
   */
  public float[] summed(List<Example> examples, Batcher batcher) {
    Integer[] order = IntStream.range(0, examples.size()).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> examples.get(i).tokens().length));
    float[] out = new float[examples.size()];
    int b = batcher.batchSize();
    for (int from = 0; from < order.length; from += b) {
      int to = Math.min(order.length, from + b);
      List<Example> rows = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        rows.add(examples.get(order[i]));
      }
      Batch batch = batcher.batch(rows);
      float[] logps;
      try (Tensor ids = engine.upload(batch.inputIds());
          Tensor targets = engine.upload(batch.targets());
          Tensor mask = engine.upload(batch.lossMask())) {
        List<Tensor> res = scorer.call(List.of(ids, targets, mask));
        try {
          logps = engine.download(res.get(0)).floats();
        } finally {
          res.forEach(Tensor::close);
        }
      }
      for (int i = from; i < to; i++) {
        out[order[i]] = logps[i - from];
      }
    }
    return out;
  }

  /** The pairs with both reference log-probs computed under the current parameters. */
  public List<PreferencePair> score(List<PreferencePair> pairs, Batcher batcher) {
    List<Example> all = new ArrayList<>(2 * pairs.size());
    for (PreferencePair p : pairs) {
      all.add(p.chosen());
      all.add(p.rejected());
    }
    float[] logps = summed(all, batcher);
    List<PreferencePair> out = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      out.add(pairs.get(i).withReference(logps[2 * i], logps[2 * i + 1]));
    }
    return out;
  }

  /**
   * The pairs with reference log-probs 0, without a forward pass: for an objective that does not
   * {@link dev.tandem.api.objective.Objective#needsReference() need the reference}.
   */
  public static List<PreferencePair> unscored(List<PreferencePair> pairs) {
    return pairs.stream().map(p -> p.withReference(0f, 0f)).toList();
  }

  @Override
  public void close() {
    scorer.close();
  }
}
