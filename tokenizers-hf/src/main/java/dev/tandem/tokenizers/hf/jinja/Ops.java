package dev.tandem.tokenizers.hf.jinja;

import static dev.tandem.tokenizers.hf.jinja.Values.isFloat;
import static dev.tandem.tokenizers.hf.jinja.Values.isNumber;
import static dev.tandem.tokenizers.hf.jinja.Values.toDouble;
import static dev.tandem.tokenizers.hf.jinja.Values.toLong;
import static dev.tandem.tokenizers.hf.jinja.Values.typeName;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's binary operators on template values, with the sandbox's size checks. */
final class Ops {
  private Ops() { }

  static Object binary(Interpreter in, String op, Object a, Object b) {
    if (!op.equals("~") && !op.equals("in") && !op.equals("not in")
        && !op.equals("==") && !op.equals("!=")) {
      if (a instanceof Undefined u) {
        throw u.fail();
      }
      if (b instanceof Undefined u) {
        throw u.fail();
      }
    }
    return switch (op) {
      case "+" -> add(in, a, b);
      case "-" -> arith(op, a, b);
      case "*" -> mul(in, a, b);
      case "/" -> {
        checkNumbers(op, a, b);
        if (toDouble(b) == 0) {
          throw new EvalError("division by zero");
        }
        yield toDouble(a) / toDouble(b);
      }
      case "//", "%" -> {
        if (op.equals("%") && a instanceof CharSequence s) {
          yield Format.percent(in, s.toString(), b);
        }
        yield arith(op, a, b);
      }
      case "**" -> pow(a, b);
      case "~" -> in.charge(Values.str(a) + Values.str(b));
      case "==" -> Values.eq(a, b);
      case "!=" -> !Values.eq(a, b);
      case "<" -> Values.compare(a, b, op) < 0;
      case ">" -> Values.compare(a, b, op) > 0;
      case "<=" -> Values.compare(a, b, op) <= 0;
      case ">=" -> Values.compare(a, b, op) >= 0;
      case "in" -> contains(b, a);
      case "not in" -> !contains(b, a);
      default -> throw new EvalError("unknown operator " + op);
    };
  }

  static boolean contains(Object container, Object item) {
    if (container instanceof CharSequence s) {
      if (!(item instanceof CharSequence t)) {
        throw new EvalError("'in <string>' requires string as left operand, not "
            + typeName(item));
      }
      return s.toString().contains(t);
    }
    if (container instanceof Map<?, ?> m) {
      return Values.findKey(m, item) != Values.NO_KEY;
    }
    if (container instanceof List<?> l) {
      for (Object o : l) {
        if (Values.eq(o, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Undefined) {
      return false;
    }
    throw new EvalError("argument of type '" + typeName(container) + "' is not iterable");
  }

  private static void checkNumbers(String op, Object a, Object b) {
    if (!isNumber(a) || !isNumber(b)) {
      throw new EvalError("unsupported operand type(s) for " + op + ": '" + typeName(a)
          + "' and '" + typeName(b) + "'");
    }
  }

  private static Object add(Interpreter in, Object a, Object b) {
    if (a instanceof CharSequence && b instanceof CharSequence) {
      return in.charge(a.toString() + b);
    }
    if (a instanceof List<?> x && b instanceof List<?> y
        && (a instanceof Tuple) == (b instanceof Tuple)) {
      in.countItems(x.size() + (long) y.size());
      List<Object> r = new ArrayList<>(x);
      r.addAll(y);
      return a instanceof Tuple ? new Tuple(r) : r;
    }
    if ((a instanceof CharSequence || a instanceof List) && !Values.isNumber(a)) {
      throw new EvalError("can only concatenate " + typeName(a) + " (not \"" + typeName(b)
          + "\") to " + typeName(a));
    }
    return arith("+", a, b);
  }

  private static Object mul(Interpreter in, Object a, Object b) {
    if ((a instanceof CharSequence || a instanceof List) && Values.isInt(b)) {
      Object t = a;
      a = b;
      b = t;
    }
    if (Values.isInt(a) || a instanceof Boolean) {
      long n = Math.max(0, toLong(a));
      if (b instanceof CharSequence s) {
        long size = n * s.length();
        if (s.length() > 0 && (size / s.length() != n || size > in.limits().maxOutputChars())) {
          throw in.limitError("string repetition of " + n + " exceeds the output limit of "
              + in.limits().maxOutputChars() + " characters");
        }
        return in.charge(s.toString().repeat((int) n));
      }
      if (b instanceof List<?> l) {
        in.countItems(n * l.size());
        List<Object> r = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          r.addAll(l);
        }
        return b instanceof Tuple ? new Tuple(r) : r;
      }
    }
    return arith("*", a, b);
  }

  private static Object arith(String op, Object a, Object b) {
    checkNumbers(op, a, b);
    if (isFloat(a) || isFloat(b)) {
      double x = toDouble(a);
      double y = toDouble(b);
      return switch (op) {
        case "+" -> x + y;
        case "-" -> x - y;
        case "*" -> x * y;
        case "//" -> {
          if (y == 0) {
            throw new EvalError("float floor division by zero");
          }
          yield Math.floor(x / y);
        }
        case "%" -> {
          if (y == 0) {
            throw new EvalError("float modulo");
          }
          double r = x % y;
          yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }
        default -> throw new EvalError("unknown operator " + op);
      };
    }
    long x = toLong(a);
    long y = toLong(b);
    try {
      return switch (op) {
        case "+" -> Math.addExact(x, y);
        case "-" -> Math.subtractExact(x, y);
        case "*" -> Math.multiplyExact(x, y);
        case "//" -> {
          if (y == 0) {
            throw new EvalError("integer division or modulo by zero");
          }
          yield Math.floorDiv(x, y);
        }
        case "%" -> {
          if (y == 0) {
            throw new EvalError("integer division or modulo by zero");
          }
          yield Math.floorMod(x, y);
        }
        default -> throw new EvalError("unknown operator " + op);
      };
    } catch (ArithmeticException e) {
      throw new EvalError("integer overflow in " + op);
    }
  }

  private static Object pow(Object a, Object b) {
    checkNumbers("**", a, b);
    if (isFloat(a) || isFloat(b) || toLong(b) < 0) {
      return Math.pow(toDouble(a), toDouble(b));
    }
    long base = toLong(a);
    long exp = toLong(b);
    long r = 1;
    try {
      while (exp > 0) {
        if ((exp & 1) == 1) {
          r = Math.multiplyExact(r, base);
        }
        exp >>= 1;
        if (exp > 0) {
          base = Math.multiplyExact(base, base);
        }
      }
    } catch (ArithmeticException e) {
      throw new EvalError("integer overflow in **");
    }
    return r;
  }

  static Object negate(Object v) {
    if (v instanceof Undefined u) {
      throw u.fail();
    }
    if (isFloat(v)) {
      return -toDouble(v);
    }
    if (isNumber(v)) {
      return -toLong(v);
    }
    throw new EvalError("bad operand type for unary -: '" + typeName(v) + "'");
  }
}
