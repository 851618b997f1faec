package dev.tandem.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tandem.api.tensor.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GptTest {
  @Test
  void referenceModelHasGpt2NamesAndTheExpectedSize() {
    Map<String, HostTensor> w = new Gpt(ModelConfig.of(261, 4, 4, 128, 64)).initialWeights(0);
    assertEquals(4 + 12 * 4, w.size());
    assertEquals(834_944L, w.values().stream().mapToLong(t -> t.shape().size()).sum());
    assertEquals(dev.tandem.api.tensor.Shape.of(128, 384), w.get("h.3.attn.c_attn.weight").shape());
  }

  @Test
  void initialisationIsDeterministicInTheSeed() {
    Gpt g = new Gpt(ModelConfig.of(261, 1, 2, 16, 8), "anchor.");
    assertEquals(g.initialWeights(3), g.initialWeights(3));
    assertNotEquals(g.initialWeights(3).get("anchor.wte.weight"), g.initialWeights(4).get("anchor.wte.weight"));
  }
}
