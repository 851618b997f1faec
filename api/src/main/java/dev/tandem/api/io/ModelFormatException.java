package dev.tandem.api.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file ({@code config.json}, {@code tokenizer.json}, {@code model.safetensors}) or a model
 * directory that is missing or malformed. The message always starts with the offending path, e.g.
 * {@code /m/config.json: n_head must be a positive integer, not 0}.
 */
public class ModelFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file (or directory) at fault. */
  private final transient Path file;

  /** A problem with {@code file}; the message becomes {@code file + ": " + problem}. */
  public ModelFormatException(Path file, String problem) {
    this(file, problem, null);
  }

  /** A problem with {@code file} caused by {@code cause}. */
  public ModelFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file (or directory) at fault. */
  public Path file() {
    return file;
  }
}
