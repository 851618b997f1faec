package dev.tandem.api.testing;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;

/**
 * A forward-only {@link CausalLM} for objective tests, with {@link HostOps}: its logit for token
 * {@code v} after input token {@code token} at {@code position} is a plain-Java function, so a test
 * can recompute log-probabilities by hand and compare them with an objective's loss. It has no
 * weights and no KV cache (prefill and decode throw).
 */
public record FunctionLM(int vocab, Logit logit) implements CausalLM {
  /** The logit of vocabulary entry {@code v} at {@code position}, whose input token is {@code token}. */
  @FunctionalInterface
  public interface Logit {
    double of(int token, int position, int v);
  }

  /** A model whose logits are all zero: every token has probability {@code 1 / vocab}. */
  public static FunctionLM uniform(int vocab) {
    return new FunctionLM(vocab, (token, position, v) -> 0);
  }

  @Override
  public ModelConfig config() {
    return ModelConfig.of(vocab, 1, 1, 4, 16);
  }

  @Override
  public Map<String, HostTensor> initialWeights(long seed) {
    return Map.of();
  }

  @Override
  public Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    double[] tokens = HostOps.host(ids).values();
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    float[] out = new float[b * t * vocab];
    for (int i = 0; i < b * t; i++) {
      for (int v = 0; v < vocab; v++) {
        out[i * vocab + v] = (float) logit.of((int) tokens[i], i % t, v);
      }
    }
    return ops.constant(HostTensor.of(out, b, t, vocab));
  }

  @Override
  public DecodeStep prefill(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    throw new UnsupportedOperationException("a test model without a KV cache");
  }

  @Override
  public DecodeStep decode(TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias) {
    throw new UnsupportedOperationException("a test model without a KV cache");
  }
}
