package dev.tandem.tokenizers.hf.jinja;

/** A failure inside an operation that does not know its line; the interpreter adds it. */
final class EvalError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  EvalError(String message) {
    super(message, null, false, false);
  }
}
