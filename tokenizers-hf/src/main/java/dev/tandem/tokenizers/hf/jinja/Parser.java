package dev.tandem.tokenizers.hf.jinja;

import dev.tandem.tokenizers.hf.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser from tokens to {@link Node}s, with Jinja's operator precedence. Bounds
 * template size and nesting depth.
 */
final class Parser {
  /** The largest template accepted, in characters. */
  static final int MAX_SOURCE_CHARS = 1 << 20;
  /** The deepest nesting of blocks and expressions accepted. */
  static final int MAX_DEPTH = 200;
  /** Placeholder variable a filter block's filters apply to. */
  static final String BODY = "\u0000body";

  private static final Set<String> COMPARE = Set.of("==", "!=", "<", ">", "<=", ">=");
  private static final Set<String> RESERVED =
      Set.of("true", "false", "none", "True", "False", "None");

  private final List<Token> tokens;
  private final String name;
  private int i;
  private int depth;

  private Parser(List<Token> tokens, String name) {
    this.tokens = tokens;
    this.name = name;
  }

  static TemplateException syntaxError(String name, int line, int column, String what) {
    return new TemplateException(name, line, what + " (at " + line + ":" + column + ")");
  }

  static List<Node> parse(String source, String name) {
    if (source.length() > MAX_SOURCE_CHARS) {
      throw new TemplateException(name, 0, "template too large: " + source.length()
          + " characters, at most " + MAX_SOURCE_CHARS);
    }
    Parser p = new Parser(Lexer.tokenize(source, name), name);
    List<Node> body = p.subparse(Set.of());
    if (p.peek().kind() != Kind.EOF) {
      throw p.error(p.peek(), "unexpected " + p.peek().describe());
    }
    return body;
  }

  // ---- token helpers

  private Token peek() {
    return tokens.get(i);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(i + ahead, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(i);
    if (t.kind() != Kind.EOF) {
      i++;
    }
    return t;
  }

  private TemplateException error(Token t, String what) {
    return syntaxError(name, t.line(), t.column(), what);
  }

  private boolean acceptOp(String op) {
    if (peek().isOp(op)) {
      i++;
      return true;
    }
    return false;
  }

  private boolean acceptName(String n) {
    if (peek().isName(n)) {
      i++;
      return true;
    }
    return false;
  }

  private Token expectOp(String op) {
    Token t = peek();
    if (!t.isOp(op)) {
      throw error(t, "expected '" + op + "', got " + t.describe());
    }
    return next();
  }

  private String expectName() {
    Token t = peek();
    if (t.kind() != Kind.NAME) {
      throw error(t, "expected a name, got " + t.describe());
    }
    return next().text();
  }

  private void expectBlockEnd() {
    Token t = peek();
    if (t.kind() != Kind.BLOCK_END) {
      throw error(t, "expected end of statement block '%}', got " + t.describe());
    }
    next();
  }

  private void enter(Token at) {
    if (++depth > MAX_DEPTH) {
      throw error(at, "template nested too deeply (more than " + MAX_DEPTH + " levels)");
    }
  }

  // ---- statements

  /** Parses nodes until a block tag whose keyword is in {@code ends} (left unconsumed). */
  private List<Node> subparse(Set<String> ends) {
    List<Node> body = new ArrayList<>();
    while (true) {
      Token t = peek();
      switch (t.kind()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error(t, "unexpected end of template; expected one of " + ends);
          }
          return body;
        }
        case TEXT -> body.add(new Node.Text((String) next().value(), t.line()));
        case VAR_BEGIN -> {
          next();
          Expr e = expression();
          Token end = peek();
          if (end.kind() != Kind.VAR_END) {
            throw error(end, "expected end of print statement '}}', got " + end.describe());
          }
          next();
          body.add(new Node.Output(e, t.line()));
        }
        case BLOCK_BEGIN -> {
          Token kw = peek(1);
          if (kw.kind() == Kind.NAME && ends.contains(kw.text())) {
            return body;
          }
          if (kw.kind() == Kind.NAME && (kw.text().startsWith("end") || kw.text().equals("elif")
              || kw.text().equals("else"))) {
            throw error(kw, "unexpected '" + kw.text() + "'"
                + (ends.isEmpty() ? "" : "; expected one of " + new java.util.TreeSet<>(ends)));
          }
          next();
          enter(t);
          body.add(statement());
          depth--;
        }
        default -> throw error(t, "unexpected " + t.describe());
      }
    }
  }

  /** Consumes {@code {% keyword %}} of an end tag. */
  private String endTag(Set<String> ends) {
    next(); // BLOCK_BEGIN
    Token kw = next();
    if (!ends.contains(kw.text())) {
      throw error(kw, "expected one of " + ends + ", got " + kw.describe());
    }
    if (kw.text().startsWith("end")) {
      expectBlockEnd();
    }
    return kw.text();
  }

  private Node statement() {
    Token t = peek();
    if (t.kind() != Kind.NAME) {
      throw error(t, "expected a statement keyword, got " + t.describe());
    }
    String kw = next().text();
    int line = t.line();
    switch (kw) {
      case "if":
        return ifStatement(line);
      case "for":
        return forStatement(line);
      case "set":
        return setStatement(line);
      case "macro":
        return macroStatement(line);
      case "call":
        return callStatement(line);
      case "filter": {
        i--; // re-read the keyword's position as if it were a '|'
        Expr f = filterExpr(new Expr.Name(BODY, line));
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endfilter"));
        endTag(Set.of("endfilter"));
        return new Node.FilterBlock(f, body, line);
      }
      case "with": {
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (peek().kind() != Kind.BLOCK_END) {
          if (!names.isEmpty()) {
            expectOp(",");
          }
          names.add(expectName());
          expectOp("=");
          values.add(expression());
        }
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endwith"));
        endTag(Set.of("endwith"));
        return new Node.With(names, values, body, line);
      }
      case "break":
      case "continue":
        expectBlockEnd();
        return new Node.LoopControl(kw.equals("break"), line);
      case "generation": {
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endgeneration"));
        endTag(Set.of("endgeneration"));
        return new Node.Generation(body, line);
      }
      default:
        throw error(t, "unknown or unsupported tag '" + kw + "'");
    }
  }

  private Node ifStatement(int line) {
    List<Expr> conds = new ArrayList<>();
    List<List<Node>> bodies = new ArrayList<>();
    List<Node> otherwise = List.of();
    conds.add(expression());
    expectBlockEnd();
    Set<String> ends = Set.of("elif", "else", "endif");
    while (true) {
      bodies.add(subparse(ends));
      String kw = endTag(ends);
      if (kw.equals("elif")) {
        conds.add(expression());
        expectBlockEnd();
      } else if (kw.equals("else")) {
        expectBlockEnd();
        otherwise = subparse(Set.of("endif"));
        endTag(Set.of("endif"));
        break;
      } else {
        break;
      }
    }
    return new Node.If(conds, bodies, otherwise, line);
  }

  private Node forStatement(int line) {
    List<String> targets = new ArrayList<>();
    boolean paren = acceptOp("(");
    do {
      targets.add(expectName());
    } while (acceptOp(",") && peek().kind() == Kind.NAME);
    if (paren) {
      expectOp(")");
    }
    if (!acceptName("in")) {
      throw error(peek(), "expected 'in', got " + peek().describe());
    }
    Expr iter = tupleOrExpression(false);
    Expr filter = null;
    if (acceptName("if")) {
      filter = expression();
    }
    if (peek().isName("recursive")) {
      throw error(peek(), "recursive loops are not supported");
    }
    expectBlockEnd();
    List<Node> body = subparse(Set.of("else", "endfor"));
    List<Node> otherwise = List.of();
    if (endTag(Set.of("else", "endfor")).equals("else")) {
      expectBlockEnd();
      otherwise = subparse(Set.of("endfor"));
      endTag(Set.of("endfor"));
    }
    return new Node.For(targets, iter, filter, body, otherwise, line);
  }

  private Node setStatement(int line) {
    String first = expectName();
    if (acceptOp(".")) {
      String attr = expectName();
      expectOp("=");
      Expr value = tupleOrExpression(true);
      expectBlockEnd();
      return new Node.Set(List.of(first), attr, value, line);
    }
    List<String> targets = new ArrayList<>(List.of(first));
    while (acceptOp(",")) {
      targets.add(expectName());
    }
    if (acceptOp("=")) {
      Expr value = tupleOrExpression(true);
      expectBlockEnd();
      return new Node.Set(targets, null, value, line);
    }
    if (targets.size() != 1) {
      throw error(peek(), "expected '='");
    }
    Expr filter = null;
    if (peek().isOp("|")) {
      filter = filterExpr(new Expr.Name(BODY, line));
    }
    expectBlockEnd();
    List<Node> body = subparse(Set.of("endset"));
    endTag(Set.of("endset"));
    return new Node.SetBlock(first, body, filter, line);
  }

  private void signature(List<String> params, List<Expr> defaults) {
    expectOp("(");
    while (!peek().isOp(")")) {
      if (!params.isEmpty()) {
        expectOp(",");
        if (peek().isOp(")")) {
          break;
        }
      }
      params.add(expectName());
      defaults.add(acceptOp("=") ? expression() : null);
    }
    expectOp(")");
  }

  private Node macroStatement(int line) {
    String macroName = expectName();
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    signature(params, defaults);
    expectBlockEnd();
    List<Node> body = subparse(Set.of("endmacro"));
    endTag(Set.of("endmacro"));
    return new Node.Macro(macroName, params, defaults, body, line);
  }

  private Node callStatement(int line) {
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    if (peek().isOp("(")) {
      signature(params, defaults);
    }
    Token at = peek();
    Expr call = expression();
    if (!(call instanceof Expr.Call c)) {
      throw error(at, "expected a call");
    }
    expectBlockEnd();
    List<Node> body = subparse(Set.of("endcall"));
    endTag(Set.of("endcall"));
    return new Node.CallBlock(c, params, defaults, body, line);
  }

  // ---- expressions

  /** An expression, or an unparenthesized tuple {@code a, b} where allowed. */
  private Expr tupleOrExpression(boolean allowCond) {
    int line = peek().line();
    Expr first = allowCond ? expression() : or();
    if (!peek().isOp(",")) {
      return first;
    }
    List<Expr> items = new ArrayList<>(List.of(first));
    while (acceptOp(",")) {
      if (peek().kind() == Kind.BLOCK_END || peek().kind() == Kind.VAR_END) {
        break;
      }
      items.add(allowCond ? expression() : or());
    }
    return new Expr.ListLit(items, true, line);
  }

  Expr expression() {
    Token at = peek();
    enter(at);
    Expr e = or();
    while (acceptName("if")) {
      Expr cond = or();
      Expr otherwise = acceptName("else") ? or() : null;
      e = new Expr.Conditional(cond, e, otherwise, at.line());
    }
    depth--;
    return e;
  }

  private Expr or() {
    Expr e = and();
    while (peek().isName("or")) {
      int line = next().line();
      e = new Expr.Binary("or", e, and(), line);
    }
    return e;
  }

  private Expr and() {
    Expr e = not();
    while (peek().isName("and")) {
      int line = next().line();
      e = new Expr.Binary("and", e, not(), line);
    }
    return e;
  }

  private Expr not() {
    if (peek().isName("not")) {
      Token t = next();
      enter(t);
      Expr e = new Expr.Unary("not", not(), t.line());
      depth--;
      return e;
    }
    return compare();
  }

  /** Comparisons chain as in Python: {@code a < b < c} is {@code a < b and b < c}. */
  private Expr compare() {
    Expr left = math1();
    Expr chain = null;
    while (true) {
      Token t = peek();
      String op;
      if (t.kind() == Kind.OP && COMPARE.contains(t.text())) {
        next();
        op = t.text();
      } else if (t.isName("in")) {
        next();
        op = "in";
      } else if (t.isName("not") && peek(1).isName("in")) {
        next();
        next();
        op = "not in";
      } else {
        return chain == null ? left : chain;
      }
      Expr right = math1();
      Expr cmp = new Expr.Binary(op, left, right, t.line());
      chain = chain == null ? cmp : new Expr.Binary("and", chain, cmp, t.line());
      left = right;
    }
  }

  private Expr math1() {
    Expr e = concat();
    while (peek().isOp("+") || peek().isOp("-")) {
      Token t = next();
      e = new Expr.Binary(t.text(), e, concat(), t.line());
    }
    return e;
  }

  private Expr concat() {
    Expr e = math2();
    while (peek().isOp("~")) {
      Token t = next();
      e = new Expr.Binary("~", e, math2(), t.line());
    }
    return e;
  }

  private Expr math2() {
    Expr e = pow();
    while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
      Token t = next();
      e = new Expr.Binary(t.text(), e, pow(), t.line());
    }
    return e;
  }

  private Expr pow() {
    Expr e = unary(true);
    while (peek().isOp("**")) {
      Token t = next();
      e = new Expr.Binary("**", e, unary(true), t.line());
    }
    return e;
  }

  private Expr unary(boolean withFilter) {
    Token t = peek();
    enter(t);
    Expr e;
    if (t.isOp("-") || t.isOp("+")) {
      next();
      e = new Expr.Unary(t.text(), unary(false), t.line());
    } else {
      e = primary();
    }
    e = postfix(e);
    if (withFilter) {
      e = filterExpr(e);
    }
    depth--;
    return e;
  }

  private Expr primary() {
    Token t = next();
    int line = t.line();
    switch (t.kind()) {
      case NAME -> {
        return switch (t.text()) {
          case "true", "True" -> new Expr.Literal(Boolean.TRUE, line);
          case "false", "False" -> new Expr.Literal(Boolean.FALSE, line);
          case "none", "None" -> new Expr.Literal(null, line);
          default -> new Expr.Name(t.text(), line);
        };
      }
      case STRING -> {
        StringBuilder sb = new StringBuilder((String) t.value());
        while (peek().kind() == Kind.STRING) {
          sb.append((String) next().value());
        }
        return new Expr.Literal(sb.toString(), line);
      }
      case INT, FLOAT -> {
        return new Expr.Literal(t.value(), line);
      }
      case OP -> {
        switch (t.text()) {
          case "(" -> {
            if (acceptOp(")")) {
              return new Expr.ListLit(List.of(), true, line);
            }
            Expr first = expression();
            if (acceptOp(")")) {
              return first;
            }
            List<Expr> items = new ArrayList<>(List.of(first));
            while (acceptOp(",")) {
              if (peek().isOp(")")) {
                break;
              }
              items.add(expression());
            }
            expectOp(")");
            return new Expr.ListLit(items, true, line);
          }
          case "[" -> {
            List<Expr> items = new ArrayList<>();
            while (!peek().isOp("]")) {
              if (!items.isEmpty()) {
                expectOp(",");
                if (peek().isOp("]")) {
                  break;
                }
              }
              items.add(expression());
            }
            expectOp("]");
            return new Expr.ListLit(items, false, line);
          }
          case "{" -> {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!peek().isOp("}")) {
              if (!keys.isEmpty()) {
                expectOp(",");
                if (peek().isOp("}")) {
                  break;
                }
              }
              keys.add(expression());
              expectOp(":");
              values.add(expression());
            }
            expectOp("}");
            return new Expr.DictLit(keys, values, line);
          }
          default -> throw error(t, "unexpected " + t.describe());
        }
      }
      default -> throw error(t, "unexpected " + t.describe());
    }
  }

  private Expr postfix(Expr e) {
    while (true) {
      Token t = peek();
      if (t.isOp(".")) {
        next();
        Token n = next();
        if (n.kind() == Kind.NAME) {
          e = new Expr.GetAttr(e, n.text(), t.line());
        } else if (n.kind() == Kind.INT) {
          e = new Expr.GetItem(e, new Expr.Literal(n.value(), t.line()), t.line());
        } else {
          throw error(n, "expected an attribute name, got " + n.describe());
        }
      } else if (t.isOp("[")) {
        next();
        e = subscript(e, t.line());
      } else if (t.isOp("(")) {
        e = call(e);
      } else {
        return e;
      }
    }
  }

  private Expr subscript(Expr target, int line) {
    Expr start = null;
    if (!peek().isOp(":")) {
      start = expression();
      if (acceptOp("]")) {
        return new Expr.GetItem(target, start, line);
      }
    }
    expectOp(":");
    Expr stop = null;
    Expr step = null;
    if (!peek().isOp("]") && !peek().isOp(":")) {
      stop = expression();
    }
    if (acceptOp(":") && !peek().isOp("]")) {
      step = expression();
    }
    expectOp("]");
    return new Expr.Slice(target, start, stop, step, line);
  }

  private Expr.Call call(Expr callee) {
    Token open = expectOp("(");
    List<Expr> args = new ArrayList<>();
    List<String> kwNames = new ArrayList<>();
    List<Expr> kwValues = new ArrayList<>();
    Expr[] stars = new Expr[2];
    arguments(args, kwNames, kwValues, stars);
    return new Expr.Call(callee, args, kwNames, kwValues, stars[0], stars[1], open.line());
  }

  private void arguments(List<Expr> args, List<String> kwNames, List<Expr> kwValues) {
    arguments(args, kwNames, kwValues, null);
  }

  private void arguments(List<Expr> args, List<String> kwNames, List<Expr> kwValues,
      Expr[] stars) {
    boolean first = true;
    while (!peek().isOp(")")) {
      if (!first) {
        expectOp(",");
        if (peek().isOp(")")) {
          break;
        }
      }
      first = false;
      if (peek().isOp("*") || peek().isOp("**")) {
        Token star = next();
        int slot = star.text().equals("*") ? 0 : 1;
        if (stars == null || stars[slot] != null) {
          throw error(star, "unexpected '" + star.text() + "'");
        }
        stars[slot] = expression();
        continue;
      }
      if (peek().kind() == Kind.NAME && peek(1).isOp("=")) {
        kwNames.add(next().text());
        next();
        kwValues.add(expression());
      } else {
        if (!kwNames.isEmpty()) {
          throw error(peek(), "positional argument follows keyword argument");
        }
        args.add(expression());
      }
    }
    expectOp(")");
  }

  private Expr filterExpr(Expr e) {
    while (true) {
      Token t = peek();
      if (t.isOp("|") || (t.isName("filter") && e instanceof Expr.Name n && n.name().equals(BODY))) {
        next();
        Token nameToken = peek();
        String f = expectName();
        while (acceptOp(".")) {
          f = f + "." + expectName();
        }
        if (!Filters.NAMES.contains(f)) {
          throw error(nameToken, "No filter named '" + f + "'.");
        }
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        if (acceptOp("(")) {
          arguments(args, kwNames, kwValues);
        }
        e = new Expr.Filter(e, f, args, kwNames, kwValues, t.line());
      } else if (t.isName("is")) {
        next();
        boolean negated = acceptName("not");
        Token n = next();
        if (n.kind() != Kind.NAME) {
          throw error(n, "expected a test name, got " + n.describe());
        }
        if (!Tests.NAMES.contains(n.text())) {
          throw error(n, "No test named '" + n.text() + "'.");
        }
        List<Expr> args = new ArrayList<>();
        if (peek().isOp("(")) {
          next();
          List<String> kwNames = new ArrayList<>();
          arguments(args, kwNames, new ArrayList<>());
          if (!kwNames.isEmpty()) {
            throw error(n, "keyword arguments to tests are not supported");
          }
        } else if (startsTestArgument(peek())) {
          args.add(postfix(primary()));
        }
        e = new Expr.Test(e, n.text(), args, negated, t.line());
      } else if (t.isOp("(")) {
        e = call(e);
      } else {
        return e;
      }
    }
  }

  private static boolean startsTestArgument(Token t) {
    return switch (t.kind()) {
      case NAME -> !Set.of("else", "or", "and", "if", "in", "is", "not").contains(t.text())
          || RESERVED.contains(t.text());
      case STRING, INT, FLOAT -> true;
      case OP -> t.text().equals("[") || t.text().equals("{");
      default -> false;
    };
  }
}
