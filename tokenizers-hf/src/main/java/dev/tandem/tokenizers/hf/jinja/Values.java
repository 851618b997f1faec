package dev.tandem.tokenizers.hf.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Python semantics of template values: truth, {@code str()}, {@code repr()}, equality, order. */
final class Values {
  private Values() { }

  static boolean isInt(Object o) {
    return o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte;
  }

  /** int, float or bool (a Python int). */
  static boolean isNumber(Object o) {
    return isInt(o) || o instanceof Double || o instanceof Float || o instanceof Boolean;
  }

  static long toLong(Object o) {
    if (o instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) o).longValue();
  }

  static double toDouble(Object o) {
    if (o instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) o).doubleValue();
  }

  static boolean isFloat(Object o) {
    return o instanceof Double || o instanceof Float;
  }

  static boolean truthy(Object o) {
    if (o == null || o instanceof Undefined) {
      return false;
    }
    if (o instanceof Boolean b) {
      return b;
    }
    if (isFloat(o)) {
      return toDouble(o) != 0.0;
    }
    if (o instanceof Number) {
      return toLong(o) != 0;
    }
    if (o instanceof CharSequence s) {
      return s.length() > 0;
    }
    if (o instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (o instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  static String typeName(Object o) {
    if (o == null) {
      return "NoneType";
    }
    if (o instanceof Boolean) {
      return "bool";
    }
    if (isInt(o)) {
      return "int";
    }
    if (isFloat(o)) {
      return "float";
    }
    if (o instanceof CharSequence) {
      return "str";
    }
    if (o instanceof Tuple) {
      return "tuple";
    }
    if (o instanceof List) {
      return "list";
    }
    if (o instanceof Map) {
      return "dict";
    }
    if (o instanceof Undefined) {
      return "Undefined";
    }
    if (o instanceof Namespace) {
      return "Namespace";
    }
    if (o instanceof LoopInfo) {
      return "LoopContext";
    }
    if (o instanceof JinjaCallable) {
      return "function";
    }
    return "object";
  }

  /** Python's {@code str()}. */
  static String str(Object o) {
    if (o instanceof CharSequence s) {
      return s.toString();
    }
    if (o instanceof Undefined) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    repr(o, sb, 0);
    return sb.toString();
  }

  static String repr(Object o) {
    StringBuilder sb = new StringBuilder();
    repr(o, sb, 0);
    return sb.toString();
  }

  private static void repr(Object o, StringBuilder sb, int depth) {
    if (depth > 500) {
      throw new EvalError("value nested too deeply");
    }
    if (o == null) {
      sb.append("None");
    } else if (o instanceof Boolean b) {
      sb.append(b ? "True" : "False");
    } else if (isInt(o)) {
      sb.append(toLong(o));
    } else if (isFloat(o)) {
      sb.append(floatRepr(toDouble(o)));
    } else if (o instanceof CharSequence s) {
      stringRepr(s.toString(), sb);
    } else if (o instanceof List<?> l) {
      boolean tuple = o instanceof Tuple;
      sb.append(tuple ? '(' : '[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        repr(l.get(i), sb, depth + 1);
      }
      if (tuple && l.size() == 1) {
        sb.append(',');
      }
      sb.append(tuple ? ')' : ']');
    } else if (o instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        repr(e.getKey(), sb, depth + 1);
        sb.append(": ");
        repr(e.getValue(), sb, depth + 1);
      }
      sb.append('}');
    } else if (o instanceof Namespace ns) {
      sb.append("<Namespace ");
      repr(ns.values, sb, depth + 1);
      sb.append('>');
    } else if (o instanceof Undefined) {
      sb.append("Undefined");
    } else if (o instanceof LoopInfo) {
      sb.append("<LoopContext>");
    } else {
      sb.append("<").append(typeName(o)).append(">");
    }
  }

  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - bd.scale() - 1;
    String sign = d < 0 ? "-" : "";
    if (exp >= -4 && exp < 16) {
      String plain = bd.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mant = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
    String e = String.valueOf(Math.abs(exp));
    return sign + mant + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
  }

  private static void stringRepr(String s, StringBuilder sb) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    sb.append(q);
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c == q || c == '\\') {
        sb.append('\\').appendCodePoint(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        sb.append(String.format("\\x%02x", c));
      } else if (c > 0x7f && !printable(c)) {
        sb.append(c > 0xffff ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    }
    sb.append(q);
  }

  private static boolean printable(int c) {
    int t = Character.getType(c);
    return t != Character.UNASSIGNED && t != Character.CONTROL && t != Character.FORMAT
        && t != Character.SURROGATE && t != Character.PRIVATE_USE
        && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
        && (t != Character.SPACE_SEPARATOR || c == ' ');
  }

  /** Python's {@code ==}. */
  static boolean eq(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (isNumber(a) && isNumber(b)) {
      if (isFloat(a) || isFloat(b)) {
        return toDouble(a) == toDouble(b);
      }
      return toLong(a) == toLong(b);
    }
    if (a instanceof CharSequence && b instanceof CharSequence) {
      return a.toString().equals(b.toString());
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if ((a instanceof Tuple) != (b instanceof Tuple) || x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        Object k = findKey(y, e.getKey());
        if (k == NO_KEY || !eq(e.getValue(), y.get(k))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Undefined && b instanceof Undefined) {
      return true;
    }
    return Objects.equals(a, b);
  }

  static final Object NO_KEY = new Object();

  /** The key of {@code m} equal to {@code key} in Python's sense, or {@link #NO_KEY}. */
  static Object findKey(Map<?, ?> m, Object key) {
    if (key != null && m.containsKey(key)) {
      return key;
    }
    if (key == null && m.containsKey(null)) {
      return null;
    }
    if (isNumber(key) || key instanceof CharSequence) {
      for (Object k : m.keySet()) {
        if (eq(k, key)) {
          return k;
        }
      }
    }
    return NO_KEY;
  }

  /** Python's ordering for {@code <} and friends. */
  static int compare(Object a, Object b, String op) {
    if (isNumber(a) && isNumber(b)) {
      if (isFloat(a) || isFloat(b)) {
        return Double.compare(toDouble(a), toDouble(b));
      }
      return Long.compare(toLong(a), toLong(b));
    }
    if (a instanceof CharSequence && b instanceof CharSequence) {
      int c = a.toString().compareTo(b.toString());
      return Integer.signum(c);
    }
    if (a instanceof List<?> x && b instanceof List<?> y
        && (a instanceof Tuple) == (b instanceof Tuple)) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i), op);
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    if (a instanceof Undefined u) {
      throw u.fail();
    }
    if (b instanceof Undefined u) {
      throw u.fail();
    }
    throw new EvalError("'" + op + "' not supported between instances of '" + typeName(a)
        + "' and '" + typeName(b) + "'");
  }

  /** Python's {@code len()}; Jinja's undefined has length 0. */
  static int length(Object o) {
    if (o instanceof CharSequence s) {
      return s.toString().codePointCount(0, s.length());
    }
    if (o instanceof List<?> l) {
      return l.size();
    }
    if (o instanceof Map<?, ?> m) {
      return m.size();
    }
    if (o instanceof Undefined) {
      return 0;
    }
    throw new EvalError("object of type '" + typeName(o) + "' has no len()");
  }

  /** The items iterating {@code o} yields: a list's items, a dict's keys, a string's characters. */
  static List<Object> iterate(Object o) {
    if (o instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (o instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (o instanceof CharSequence s) {
      List<Object> chars = new ArrayList<>();
      s.toString().codePoints().forEach(c -> chars.add(new String(Character.toChars(c))));
      return chars;
    }
    if (o instanceof Undefined) {
      return new ArrayList<>();
    }
    if (o instanceof Namespace || o instanceof LoopInfo) {
      throw new EvalError("'" + typeName(o) + "' object is not iterable");
    }
    if (o instanceof Iterable<?> it) {
      List<Object> items = new ArrayList<>();
      for (Iterator<?> i = it.iterator(); i.hasNext(); ) {
        items.add(i.next());
      }
      return items;
    }
    throw new EvalError("'" + typeName(o) + "' object is not iterable");
  }
}
