package dev.tandem.api.objective;

import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning: the mean negative log-likelihood per completion token (prompt and padding
 * masked). Metric {@code tokens}: the number of tokens that count.
 */
public final class SftObjective implements Objective {
  /** The name {@code sft}. */
  public static final String NAME = "sft";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) {
    Tensor ids = batch.get(0);
    Tensor targets = batch.get(1);
    Tensor mask = batch.get(2);
    // the logits and log-probabilities [B, T, V] are let go as soon as the sum is formed
    Tensor logp = ops.tidy(() -> ops.sumAll(SequenceLogProbs.perToken(ops, model, params, ids, targets, mask)));
    Tensor tokens = ops.sumAll(mask);
    Tensor loss = ops.div(ops.neg(logp), ops.maximum(tokens, ops.scalar(1f)));
    return new LossOutput(loss, Map.of("tokens", tokens));
  }
}
