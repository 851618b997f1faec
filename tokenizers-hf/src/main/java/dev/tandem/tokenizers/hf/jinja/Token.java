package dev.tandem.tokenizers.hf.jinja;

/** One lexical token of a template. */
record Token(Kind kind, String text, Object value, int line, int column) {
  /** Token kinds. */
  enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

  boolean isOp(String t) {
    return kind == Kind.OP && text.equals(t);
  }

  boolean isName(String t) {
    return kind == Kind.NAME && text.equals(t);
  }

  String describe() {
    return switch (kind) {
      case EOF -> "end of template";
      case TEXT -> "template text";
      case BLOCK_END -> "'%}'";
      case VAR_END -> "'}}'";
      default -> "'" + text + "'";
    };
  }
}
