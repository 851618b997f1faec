package dev.tandem.cli;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/** One-line descriptions of failures: the message a user can act on, no stack trace. */
final class Errors {
  private Errors() {}

  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof UncheckedIOException || t.getMessage() == null) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof NoSuchFileException n) {
      return n.getFile() + ": no such file";
    }
    if (t instanceof OutOfMemoryError) {
      return "out of memory: lower --batch-size or use a smaller model";
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
