package dev.tandem.tokenizers.hf.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} filter calls it: {@code
 * ensure_ascii=False} by default, with {@code indent}, {@code separators} and {@code sort_keys}.
 */
final class JsonWriter {
  private final String indent;
  private final String itemSep;
  private final String keySep;
  private final boolean sortKeys;
  private final boolean ensureAscii;
  private final Interpreter in;
  private final StringBuilder sb = new StringBuilder();

  JsonWriter(Interpreter in, Object indent, Object separators, boolean sortKeys,
      boolean ensureAscii) {
    this.in = in;
    if (indent == null) {
      this.indent = null;
    } else if (indent instanceof CharSequence s) {
      this.indent = s.toString();
    } else if (Values.isInt(indent)) {
      this.indent = " ".repeat((int) Math.max(0, Math.min(1000, Values.toLong(indent))));
    } else {
      throw new EvalError("indent must be an int or str, not " + Values.typeName(indent));
    }
    if (separators != null) {
      List<Object> seps = Values.iterate(separators);
      if (seps.size() != 2) {
        throw new EvalError("separators must be a pair of strings");
      }
      itemSep = Values.str(seps.get(0));
      keySep = Values.str(seps.get(1));
    } else {
      itemSep = this.indent == null ? ", " : ",";
      keySep = ": ";
    }
    this.sortKeys = sortKeys;
    this.ensureAscii = ensureAscii;
  }

  String write(Object value) {
    value(value, 0);
    return sb.toString();
  }

  private void newline(int level) {
    if (indent != null) {
      sb.append('\n');
      for (int i = 0; i < level; i++) {
        sb.append(indent);
      }
    }
    in.charge(0);
    if (sb.length() > in.limits().maxOutputChars()) {
      throw in.limitError("JSON longer than " + in.limits().maxOutputChars() + " characters");
    }
  }

  private void value(Object v, int level) {
    if (level > 500) {
      throw new EvalError("value nested too deeply for tojson");
    }
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (Values.isInt(v)) {
      sb.append(Values.toLong(v));
    } else if (Values.isFloat(v)) {
      double d = Values.toDouble(v);
      sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity"
          : "-Infinity") : Values.floatRepr(d));
    } else if (v instanceof CharSequence s) {
      string(s.toString());
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(itemSep);
        }
        newline(level + 1);
        value(l.get(i), level + 1);
      }
      newline(level);
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      List<Map.Entry<String, Object>> entries = new ArrayList<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NULL : e.getValue()));
      }
      if (sortKeys) {
        entries.sort(Map.Entry.comparingByKey());
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : entries) {
        if (!first) {
          sb.append(itemSep);
        }
        first = false;
        newline(level + 1);
        string(e.getKey());
        sb.append(keySep);
        value(e.getValue() == NULL ? null : e.getValue(), level + 1);
      }
      newline(level);
      sb.append('}');
    } else {
      throw new EvalError("Object of type " + Values.typeName(v) + " is not JSON serializable");
    }
  }

  private static final Object NULL = new Object();

  private static String key(Object k) {
    if (k instanceof CharSequence s) {
      return s.toString();
    }
    if (k == null) {
      return "null";
    }
    if (k instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (Values.isNumber(k)) {
      return Values.str(k);
    }
    throw new EvalError("keys must be str, int, float, bool or None, not " + Values.typeName(k));
  }

  private void string(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || (ensureAscii && c > 0x7e)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
