package dev.tandem.api.train;

import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a model's files (for a plain model: {@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}) into an existing, empty directory. The {@link Trainer} calls it on a
 * temporary directory that it renames when complete, so implementations need not be atomic.
 */
@FunctionalInterface
public interface ModelWriter {
  void write(Path dir, Map<String, HostTensor> weights) throws IOException;

  /**
   * Reads back, by parameter name, the values {@link #write} wrote into {@code dir}: what resuming
   * from a checkpoint restores. The default reads {@code model.safetensors} as it is (parameter
   * names as tensor names); writers that rename tensors (Hugging Face layouts, adapters) map them
   * back. Frozen parameters a writer leaves out are absent.
   */
  default Map<String, HostTensor> read(Path dir) throws IOException {
    return dev.tandem.api.io.Safetensors.read(dir.resolve("model.safetensors"));
  }

  /**
   * Copies to the host the parameter values {@link #write} needs: all of them by default; writers
   * that save a part of the model (an adapter, a composition's new parameters) read only that
   * part, so that saving a checkpoint of a LoRA run never copies the frozen base.
   */
  default Map<String, HostTensor> values(dev.tandem.api.engine.Parameters params) {
    return params.readAll();
  }
}
