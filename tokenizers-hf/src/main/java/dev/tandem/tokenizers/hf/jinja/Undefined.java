package dev.tandem.tokenizers.hf.jinja;

/**
 * Jinja's default {@code Undefined}: prints as nothing, is false, iterates as empty, and fails on
 * attribute access, calls and arithmetic with {@link #hint}.
 */
record Undefined(String hint) {
  static Undefined named(String name) {
    return new Undefined("'" + name + "' is undefined");
  }

  EvalError fail() {
    return new EvalError(hint);
  }
}
