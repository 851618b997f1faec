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
}
