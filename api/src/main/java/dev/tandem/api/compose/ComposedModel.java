package dev.tandem.api.compose;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What makes a loaded model a composition: its strategy, bases and settings, and the names of the
 * new parameters (the only ones saved in a composed model directory, and the only trainable ones).
 *
 * @param strategy the strategy's name
 * @param bases the anchor first, then the augmenting models
 * @param settings the strategy's settings, as saved in {@code composition.json}
 * @param composition the built composition
 * @param parameters the names of the new parameters
 */
public record ComposedModel(
    String strategy, List<BaseModel> bases, JsonNode settings, Composition composition, Set<String> parameters) {
  public ComposedModel {
    bases = List.copyOf(bases);
    parameters = Set.copyOf(parameters);
  }

  /** The anchor. */
  public BaseModel anchor() {
    return bases.get(0);
  }

  /** {@link Composition#merge} of the new parameters among {@code weights}. */
  public Optional<Map<String, HostTensor>> merge(Map<String, HostTensor> weights) {
    return composition.merge(weights);
  }

  /**
   * Writes {@link #merge merged} weights as a plain model directory in the anchor's layout (its
   * {@code config.json}, checkpoint names and tokenizer files, whatever its family), atomically.
   *
   * @throws IllegalArgumentException when the strategy cannot be merged
   */
  public void saveMerged(Path dir, Map<String, HostTensor> weights) throws IOException {
    Map<String, HostTensor> merged =
        merge(weights).orElseThrow(() -> new IllegalArgumentException("strategy " + strategy + " cannot be merged into plain weights"));
    AtomicFiles.writeDirectory(dir, staged -> anchor().directory().writeModel(staged, merged));
  }
}
