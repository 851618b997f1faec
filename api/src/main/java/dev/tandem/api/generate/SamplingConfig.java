package dev.tandem.api.generate;

/**
 * How tokens are chosen.
 *
 * @param maxNewTokens upper bound of tokens generated per prompt (generation stops earlier at the
 *     end-of-sequence token)
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it before sampling
 * @param topK keep only the k most likely tokens (0: all)
 * @param topP keep the smallest set of tokens whose probability reaches p (1: all)
 * @param seed the sampling seed: the same seed, prompts and model give the same text
 */
public record SamplingConfig(int maxNewTokens, float temperature, int topK, float topP, long seed) {
  public SamplingConfig {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max-new-tokens must be >= 1, not " + maxNewTokens);
    }
    if (!(temperature >= 0) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, not " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0, not " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], not " + topP);
    }
  }

  /** Greedy decoding of up to {@code maxNewTokens} tokens. */
  public static SamplingConfig greedy(int maxNewTokens) {
    return new SamplingConfig(maxNewTokens, 0f, 0, 1f, 0L);
  }

  public boolean isGreedy() {
    return temperature == 0f;
  }
}
