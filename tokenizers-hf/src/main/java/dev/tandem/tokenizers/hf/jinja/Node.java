package dev.tandem.tokenizers.hf.jinja;

import java.util.List;

/** Statement nodes of the syntax tree; each knows its line. */
sealed interface Node {
  int line();

  /** Literal template text. */
  record Text(String text, int line) implements Node { }

  /** {@code {{ expr }}}. */
  record Output(Expr expr, int line) implements Node { }

  /** if / elif / else: conditions pair with bodies; {@code otherwise} may be empty. */
  record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise, int line)
      implements Node { }

  /** for targets in iterable [if filter] ... [else ...]. */
  record For(List<String> targets, Expr iterable, Expr filter, List<Node> body,
      List<Node> otherwise, int line) implements Node { }

  /** {@code set a = x}, {@code set a, b = x}, or {@code set ns.attr = x} (attribute non-null). */
  record Set(List<String> targets, String attribute, Expr value, int line) implements Node { }

  /** {@code set name %}body{% endset}, optionally through filters applied to the captured text. */
  record SetBlock(String target, List<Node> body, Expr filter, int line) implements Node { }

  /** A macro definition. */
  record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body, int line)
      implements Node { }

  /** {@code call [(params)] macro(args)} with the body available as {@code caller()}. */
  record CallBlock(Expr.Call call, List<String> params, List<Expr> defaults, List<Node> body,
      int line) implements Node { }

  /** {@code filter name} ... {@code endfilter}: the filter applies to the rendered body. */
  record FilterBlock(Expr filter, List<Node> body, int line) implements Node { }

  /** {@code with a = 1} ... {@code endwith}: a scope. */
  record With(List<String> names, List<Expr> values, List<Node> body, int line) implements Node { }

  /** {@code break} or {@code continue}. */
  record LoopControl(boolean isBreak, int line) implements Node { }

  /** {@code generation} ... {@code endgeneration}, rendered as its body. */
  record Generation(List<Node> body, int line) implements Node { }
}
