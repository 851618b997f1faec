package dev.tandem.api.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a model directory's tokenizer in a format other than Tandem's byte-level one, e.g. Hugging
 * Face's {@code tokenizer.json} with {@code tokenizer_config.json}. Found through {@link
 * java.util.ServiceLoader}; a plugin module declares {@code provides
 * dev.tandem.api.tokenizer.TokenizerProvider with ...}.
 *
 * <p>The model directory is untrusted input: {@link #load} reports a malformed file with an
 * exception naming the file and, where known, the field.
 */
public interface TokenizerProvider {
  /** A short name for listings and messages, e.g. {@code huggingface}. */
  String name();

  /**
   * Whether this provider reads the tokenizer in {@code dir}; cheap (looks at file names or a
   * file's first field), never throws for a directory it does not understand.
   */
  boolean accepts(Path dir);

  /**
   * The tokenizer of {@code dir}.
   *
   * @throws IOException naming the file (and field) that is missing or malformed
   */
  Tokenizer load(Path dir) throws IOException;

  /**
   * The files of {@code dir} that make up its tokenizer (e.g. {@code tokenizer.json}, {@code
   * tokenizer_config.json}, {@code chat_template.jinja}), which saving a model copies unchanged.
   */
  java.util.List<String> files(Path dir);
}
