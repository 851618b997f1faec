package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Generation with the KV cache gives exactly the tokens of recomputing the whole sequence. */
class KvCacheIT {
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void cachedGreedyEqualsNaiveGreedyForRaggedBatches(String engineName) {
    ModelConfig config = ModelConfig.of(261, 2, 4, 64, 96);
    Gpt gpt = new Gpt(config);
    // larger weights than the GPT-2 init so that the argmax is decided by real margins
    Map<String, HostTensor> w = gpt.initialWeights(5);
    List<int[]> prompts = List.of(prompt(3, 1), prompt(17, 2), prompt(9, 3), prompt(30, 4), prompt(1, 5));
    try (Engine engine = AllEngines.create(engineName)) {
      Parameters params = engine.createParameters(w, Set.of());
      try (Generator g = new Generator(engine, gpt, params, 256, 257)) {
        List<int[]> cached = g.generate(prompts, SamplingConfig.greedy(40), 4);
        List<int[]> naive = g.generateNaive(prompts, SamplingConfig.greedy(40), 4);
        assertEquals(prompts.size(), cached.size());
        int total = 0;
        for (int i = 0; i < prompts.size(); i++) {
          assertArrayEquals(naive.get(i), cached.get(i), "prompt " + i);
          total += cached.get(i).length;
        }
        assertTrue(total > 40, "the comparison must cover real generated tokens, got " + total);
        // batching must not change the result: one prompt alone gives the same tokens
        assertArrayEquals(cached.get(3), g.generate(List.of(prompts.get(3)), SamplingConfig.greedy(40), 1).get(0));
      }
    }
  }

  private static int[] prompt(int n, long seed) {
    Random r = new Random(seed);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = 97 + r.nextInt(26);
    }
    return p;
  }
}
