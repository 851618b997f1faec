package dev.tandem.tokenizers.hf.jinja;

import java.util.List;

/** Expression nodes of the syntax tree; each knows its line. */
sealed interface Expr {
  int line();

  /** A constant: string, number, boolean or none. */
  record Literal(Object value, int line) implements Expr { }

  /** A variable read. */
  record Name(String name, int line) implements Expr { }

  /** {@code [a, b]} or {@code (a, b)}. */
  record ListLit(List<Expr> items, boolean tuple, int line) implements Expr { }

  /** {@code {k: v}}. */
  record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr { }

  /** {@code obj.name}. */
  record GetAttr(Expr target, String name, int line) implements Expr { }

  /** {@code obj[key]}. */
  record GetItem(Expr target, Expr key, int line) implements Expr { }

  /** {@code obj[start:stop:step]}; absent parts are null. */
  record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr { }

  /** A call with positional and keyword arguments, and optional {@code *args}, {@code **kwargs}. */
  record Call(Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues,
      Expr starArgs, Expr starKwargs, int line) implements Expr { }

  /** {@code value | name(args)}. */
  record Filter(Expr value, String name, List<Expr> args, List<String> kwNames,
      List<Expr> kwValues, int line) implements Expr { }

  /** {@code value is [not] name(args)}. */
  record Test(Expr value, String name, List<Expr> args, boolean negated, int line)
      implements Expr { }

  /** Binary operators, including {@code and}, {@code or}, comparisons and {@code in}. */
  record Binary(String op, Expr left, Expr right, int line) implements Expr { }

  /** {@code not x}, {@code -x}, {@code +x}. */
  record Unary(String op, Expr operand, int line) implements Expr { }

  /** {@code a if cond else b}; {@code otherwise} is null when there is no else. */
  record Conditional(Expr cond, Expr then, Expr otherwise, int line) implements Expr { }
}
