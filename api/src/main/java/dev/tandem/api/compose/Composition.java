package dev.tandem.api.compose;

import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A composition built by a {@link CompositionStrategy}: a {@link CausalLM} over the bases'
 * parameters (under their {@link BaseModel#prefix() prefixes}, frozen) and new parameters (under
 * names of the strategy's choosing, such as {@code calm.0.proj.weight}), which are the only ones that
 * train.
 */
public interface Composition {
  /** The composed model; its parameters are the bases' prefixed ones plus the new ones. */
  CausalLM model();

  /**
   * Initial values of the new parameters, deterministic in {@code seed}. They must make the
   * composition start where its strategy promises (for CALM and LoRA: exactly the anchor).
   */
  Map<String, HostTensor> initialParameters(long seed);

  /** Whether {@link #merge} gives plain weights (false by default). */
  default boolean mergeable() {
    return false;
  }

  /**
   * Plain weights of the anchor, by its own (unprefixed) parameter names, that compute the same
   * function as this composition with the given values of the new parameters, for strategies that
   * can be merged (LoRA); empty for those that cannot (CALM). {@link ComposedModel#saveMerged}
   * writes them as a model directory in the anchor's layout.
   *
   * @param parameters values of the new parameters (other entries are ignored)
   */
  default Optional<Map<String, HostTensor>> merge(Map<String, HostTensor> parameters) {
    return Optional.empty();
  }

  /**
   * The file of a composed directory that holds the new parameters: {@code model.safetensors} by
   * default (LoRA: PEFT's {@code adapter_model.safetensors}).
   */
  default String parametersFile() {
    return ModelDirectory.WEIGHTS;
  }

  /**
   * Writes the new parameters (exactly {@code values}) into the existing directory {@code dir} of a
   * composed model; {@code composition.json} and the tokenizer are written beside them by {@link
   * Compositions#write}. The default writes {@link #parametersFile()} as safetensors under the
   * parameter names; a strategy may write another layout (LoRA writes PEFT's adapter files).
   */
  default void writeParameters(Path dir, Map<String, HostTensor> values) throws IOException {
    Safetensors.write(dir.resolve(parametersFile()), values, Map.of("format", "pt", "tandem", Compositions.FORMAT));
  }

  /**
   * Reads back what {@link #writeParameters} wrote into {@code dir}, by parameter name. {@link
   * Compositions#load} then checks the names, shapes and dtypes against {@link #initialParameters}.
   *
   * @throws ModelFormatException naming the file when it is missing or malformed
   */
  default Map<String, HostTensor> readParameters(Path dir) throws IOException {
    Path file = dir.resolve(parametersFile());
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(dir, "missing " + parametersFile() + " (the composition's parameters)");
    }
    return Safetensors.read(file);
  }
}
