package dev.tandem.api.io;

import java.nio.file.Path;

/**
 * A safetensors file that cannot be read or written: truncated, with a malformed header, offsets
 * out of range, or an unsupported dtype. The message starts with the file path, e.g. {@code
 * /x/model.safetensors: header length 9999999999 exceeds file size 1234}.
 */
public class SafetensorsException extends ModelFormatException {
  private static final long serialVersionUID = 1L;

  /** A problem with {@code file}. */
  public SafetensorsException(Path file, String problem) {
    super(file, problem);
  }

  /** A problem with {@code file} caused by {@code cause}. */
  public SafetensorsException(Path file, String problem, Throwable cause) {
    super(file, problem, cause);
  }
}
