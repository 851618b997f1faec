package dev.tandem.tokenizers.hf.jinja;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a parsed template: executes statements, evaluates expressions, enforces limits. */
final class Interpreter {
  private static final class LoopSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean isBreak;

    LoopSignal(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  private static final LoopSignal BREAK = new LoopSignal(true);
  private static final LoopSignal CONTINUE = new LoopSignal(false);

  private final String name;
  private final Limits limits;
  private final Clock clock;
  private long iterations;
  private long work;
  private int callDepth;
  private int loopDepth;

  Interpreter(String name, Limits limits, Clock clock) {
    this.name = name;
    this.limits = limits;
    this.clock = clock;
  }

  Limits limits() {
    return limits;
  }

  /** The clock {@code strftime_now} reads. */
  Clock clock() {
    return clock;
  }

  String name() {
    return name;
  }

  // ---- limits

  EvalError limitError(String what) {
    return new EvalError("sandbox limit exceeded: " + what);
  }

  String charge(String s) {
    charge(s.length());
    return s;
  }

  void charge(int chars) {
    if (chars > limits.maxOutputChars()) {
      throw limitError("string of " + chars + " characters exceeds the output limit of "
          + limits.maxOutputChars() + " characters");
    }
    work += chars;
    if (work > 64L * limits.maxOutputChars()) {
      throw limitError("the template built more than " + 64L * limits.maxOutputChars()
          + " characters of strings");
    }
  }

  void countItems(long n) {
    if (n > limits.maxLoopIterations()) {
      throw limitError("a sequence of " + n + " items exceeds the limit of "
          + limits.maxLoopIterations());
    }
  }

  private void countIteration() {
    if (++iterations > limits.maxLoopIterations()) {
      throw limitError("more than " + limits.maxLoopIterations() + " loop iterations");
    }
  }

  /** Output with the size limit. */
  final class Out {
    final StringBuilder sb = new StringBuilder();

    void write(String s) {
      if (sb.length() + (long) s.length() > limits.maxOutputChars()) {
        throw limitError("output longer than " + limits.maxOutputChars() + " characters");
      }
      sb.append(s);
    }
  }

  // ---- statements

  String render(List<Node> nodes, Scope scope) {
    Out out = new Out();
    try {
      exec(nodes, scope, out);
    } catch (LoopSignal s) {
      throw new TemplateException(name, 0, "'break' or 'continue' outside a loop");
    } catch (StackOverflowError e) {
      throw new TemplateException(name, 0, "sandbox limit exceeded: recursion too deep");
    }
    return out.sb.toString();
  }

  void exec(List<Node> nodes, Scope scope, Out out) {
    for (Node n : nodes) {
      try {
        exec(n, scope, out);
      } catch (EvalError e) {
        throw new TemplateException(name, n.line(), e.getMessage());
      }
    }
  }

  private String capture(List<Node> nodes, Scope scope) {
    Out out = new Out();
    exec(nodes, scope, out);
    return out.sb.toString();
  }

  private void exec(Node node, Scope scope, Out out) {
    if (node instanceof Node.Text t) {
      out.write(t.text());
    } else if (node instanceof Node.Output o) {
      out.write(charge(Values.str(eval(o.expr(), scope))));
    } else if (node instanceof Node.If n) {
      for (int k = 0; k < n.conditions().size(); k++) {
        if (Values.truthy(eval(n.conditions().get(k), scope))) {
          exec(n.bodies().get(k), scope, out);
          return;
        }
      }
      exec(n.otherwise(), scope, out);
    } else if (node instanceof Node.For n) {
      forLoop(n, scope, out);
    } else if (node instanceof Node.Set n) {
      set(n, scope);
    } else if (node instanceof Node.SetBlock n) {
      Object v = capture(n.body(), new Scope(scope));
      if (n.filter() != null) {
        Scope s = new Scope(scope);
        s.set(Parser.BODY, v);
        v = eval(n.filter(), s);
      }
      scope.set(n.target(), v);
    } else if (node instanceof Node.Macro n) {
      scope.set(n.name(), new Macro(n.name(), n.params(), n.defaults(), n.body(), scope));
    } else if (node instanceof Node.CallBlock n) {
      Macro caller = new Macro("caller", n.params(), n.defaults(), n.body(), scope);
      Expr.Call c = n.call();
      List<String> names = new ArrayList<>(c.kwNames());
      names.add("caller");
      List<Expr> values = new ArrayList<>(c.kwValues());
      values.add(new Expr.Literal(caller, n.line()));
      out.write(Values.str(eval(new Expr.Call(c.callee(), c.args(), names, values, c.starArgs(),
          c.starKwargs(), n.line()), scope)));
    } else if (node instanceof Node.FilterBlock n) {
      Scope s = new Scope(scope);
      s.set(Parser.BODY, capture(n.body(), new Scope(scope)));
      out.write(Values.str(eval(n.filter(), s)));
    } else if (node instanceof Node.With n) {
      Scope s = new Scope(scope);
      for (int k = 0; k < n.names().size(); k++) {
        s.set(n.names().get(k), eval(n.values().get(k), scope));
      }
      exec(n.body(), s, out);
    } else if (node instanceof Node.LoopControl n) {
      if (loopDepth == 0) {
        throw new EvalError("'" + (n.isBreak() ? "break" : "continue") + "' outside a loop");
      }
      throw n.isBreak() ? BREAK : CONTINUE;
    } else if (node instanceof Node.Generation n) {
      exec(n.body(), scope, out);
    }
  }

  private void set(Node.Set n, Scope scope) {
    Object v = eval(n.value(), scope);
    if (n.attribute() != null) {
      Object target = lookup(n.targets().get(0), scope);
      if (!(target instanceof Namespace ns)) {
        throw new EvalError("cannot assign attribute on non-namespace object");
      }
      ns.values.put(n.attribute(), v);
      return;
    }
    bind(n.targets(), v, scope);
  }

  private void bind(List<String> targets, Object v, Scope scope) {
    if (targets.size() == 1) {
      scope.set(targets.get(0), v);
      return;
    }
    List<Object> items = Values.iterate(v);
    if (items.size() != targets.size()) {
      throw new EvalError((items.size() > targets.size() ? "too many" : "not enough")
          + " values to unpack (expected " + targets.size() + ", got " + items.size() + ")");
    }
    for (int k = 0; k < targets.size(); k++) {
      scope.set(targets.get(k), items.get(k));
    }
  }

  private void forLoop(Node.For n, Scope scope, Out out) {
    Object iterable = eval(n.iterable(), scope);
    if (iterable == null) {
      throw new EvalError("'NoneType' object is not iterable");
    }
    List<Object> items = Values.iterate(iterable);
    if (n.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        countIteration();
        Scope s = new Scope(scope);
        bind(n.targets(), item, s);
        if (Values.truthy(eval(n.filter(), s))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      exec(n.otherwise(), new Scope(scope), out);
      return;
    }
    LoopInfo loop = new LoopInfo(items);
    loopDepth++;
    try {
      for (int k = 0; k < items.size(); k++) {
        countIteration();
        loop.index0 = k;
        Scope s = new Scope(scope);
        bind(n.targets(), items.get(k), s);
        s.set("loop", loop);
        try {
          exec(n.body(), s, out);
        } catch (LoopSignal signal) {
          if (signal.isBreak) {
            break;
          }
        }
      }
    } finally {
      loopDepth--;
    }
  }

  // ---- macros

  /** A macro (or a call block's {@code caller}), closed over the scope it was defined in. */
  final class Macro implements JinjaCallable {
    private final String macroName;
    private final List<String> params;
    private final List<Expr> defaults;
    private final List<Node> body;
    private final Scope closure;

    Macro(String macroName, List<String> params, List<Expr> defaults, List<Node> body,
        Scope closure) {
      this.macroName = macroName;
      this.params = params;
      this.defaults = defaults;
      this.body = body;
      this.closure = closure;
    }

    @Override
    public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
      if (callDepth >= limits.maxCallDepth()) {
        throw limitError("macro calls nested deeper than " + limits.maxCallDepth());
      }
      Scope s = new Scope(closure);
      Map<String, Object> extra = new LinkedHashMap<>(kwargs);
      for (int k = 0; k < params.size(); k++) {
        String p = params.get(k);
        if (k < args.size()) {
          s.set(p, args.get(k));
        } else if (extra.containsKey(p)) {
          s.set(p, extra.remove(p));
        } else if (defaults.get(k) != null) {
          s.set(p, eval(defaults.get(k), s));
        } else {
          s.set(p, new Undefined("parameter '" + p + "' was not provided"));
        }
      }
      s.set("varargs", new Tuple(args.size() > params.size()
          ? new ArrayList<>(args.subList(params.size(), args.size())) : new ArrayList<>()));
      if (extra.containsKey("caller")) {
        s.set("caller", extra.remove("caller"));
      }
      s.set("kwargs", extra);
      int savedLoops = loopDepth;
      callDepth++;
      loopDepth = 0;
      try {
        return capture(body, s);
      } finally {
        callDepth--;
        loopDepth = savedLoops;
      }
    }

    @Override
    public String toString() {
      return "<Macro '" + macroName + "'>";
    }
  }

  // ---- expressions

  Object lookup(String var, Scope scope) {
    Object v = scope.lookup(var);
    if (v != Scope.MISSING) {
      return v;
    }
    JinjaCallable builtin = Builtins.get(var);
    return builtin != null ? builtin : Undefined.named(var);
  }

  Object eval(Expr e, Scope scope) {
    if (e instanceof Expr.Literal l) {
      return l.value();
    } else if (e instanceof Expr.Name n) {
      return lookup(n.name(), scope);
    } else if (e instanceof Expr.ListLit l) {
      List<Object> items = new ArrayList<>(l.items().size());
      for (Expr x : l.items()) {
        items.add(eval(x, scope));
      }
      return l.tuple() ? new Tuple(items) : items;
    } else if (e instanceof Expr.DictLit d) {
      Map<Object, Object> m = new LinkedHashMap<>();
      for (int k = 0; k < d.keys().size(); k++) {
        m.put(eval(d.keys().get(k), scope), eval(d.values().get(k), scope));
      }
      return m;
    } else if (e instanceof Expr.GetAttr g) {
      return Access.getattr(eval(g.target(), scope), g.name());
    } else if (e instanceof Expr.GetItem g) {
      return Access.getitem(eval(g.target(), scope), eval(g.key(), scope));
    } else if (e instanceof Expr.Slice s) {
      return Access.slice(eval(s.target(), scope),
          s.start() == null ? null : eval(s.start(), scope),
          s.stop() == null ? null : eval(s.stop(), scope),
          s.step() == null ? null : eval(s.step(), scope));
    } else if (e instanceof Expr.Call c) {
      Object callee = eval(c.callee(), scope);
      List<Object> args = evalAll(c.args(), scope);
      Map<String, Object> kwargs = evalKw(c.kwNames(), c.kwValues(), scope);
      if (c.starArgs() != null) {
        args.addAll(Values.iterate(eval(c.starArgs(), scope)));
      }
      if (c.starKwargs() != null) {
        Object m = eval(c.starKwargs(), scope);
        if (!(m instanceof Map<?, ?> map)) {
          throw new EvalError("argument after ** must be a mapping, not " + Values.typeName(m));
        }
        map.forEach((k, v) -> kwargs.put(Values.str(k), v));
      }
      if (callee instanceof JinjaCallable f) {
        return f.call(this, args, kwargs);
      }
      if (callee instanceof Undefined u) {
        throw u.fail();
      }
      throw new EvalError("'" + Values.typeName(callee) + "' object is not callable");
    } else if (e instanceof Expr.Filter f) {
      Object value = eval(f.value(), scope);
      return Filters.apply(this, f.name(), value, evalAll(f.args(), scope),
          evalKw(f.kwNames(), f.kwValues(), scope));
    } else if (e instanceof Expr.Test t) {
      Object value = eval(t.value(), scope);
      return Tests.apply(t.name(), value, evalAll(t.args(), scope)) != t.negated();
    } else if (e instanceof Expr.Unary u) {
      Object v = eval(u.operand(), scope);
      if (u.op().equals("not")) {
        return !Values.truthy(v);
      }
      if (u.op().equals("-")) {
        return Ops.negate(v);
      }
      if (!Values.isNumber(v)) {
        throw new EvalError("bad operand type for unary +: '" + Values.typeName(v) + "'");
      }
      return v instanceof Boolean b ? (b ? 1L : 0L) : v;
    } else if (e instanceof Expr.Binary b) {
      Object left = eval(b.left(), scope);
      if (b.op().equals("and")) {
        return Values.truthy(left) ? eval(b.right(), scope) : left;
      }
      if (b.op().equals("or")) {
        return Values.truthy(left) ? left : eval(b.right(), scope);
      }
      return Ops.binary(this, b.op(), left, eval(b.right(), scope));
    } else if (e instanceof Expr.Conditional c) {
      if (Values.truthy(eval(c.cond(), scope))) {
        return eval(c.then(), scope);
      }
      return c.otherwise() == null
          ? new Undefined("the inline if-expression evaluated to false and no else section was"
              + " defined.")
          : eval(c.otherwise(), scope);
    }
    throw new IllegalStateException("unknown expression " + e);
  }

  private List<Object> evalAll(List<Expr> exprs, Scope scope) {
    List<Object> values = new ArrayList<>(exprs.size());
    for (Expr x : exprs) {
      values.add(eval(x, scope));
    }
    return values;
  }

  private Map<String, Object> evalKw(List<String> names, List<Expr> exprs, Scope scope) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int k = 0; k < names.size(); k++) {
      m.put(names.get(k), eval(exprs.get(k), scope));
    }
    return m;
  }
}
