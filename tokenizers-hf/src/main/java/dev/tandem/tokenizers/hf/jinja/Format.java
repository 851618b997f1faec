package dev.tandem.tokenizers.hf.jinja;

import java.util.List;
import java.util.Map;

/** Python's {@code 'format' % args} for the common conversions: s, r, d, i, f, %. */
final class Format {
  private Format() { }

  static String percent(Interpreter in, String fmt, Object args) {
    List<?> values = args instanceof Tuple t ? t : List.of(args == null ? "None" : args);
    if (args == null) {
      values = java.util.Collections.singletonList(null);
    }
    StringBuilder sb = new StringBuilder();
    int next = 0;
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      if (++i >= fmt.length()) {
        throw new EvalError("incomplete format");
      }
      int specStart = i;
      while (i < fmt.length() && "0123456789.-+ #".indexOf(fmt.charAt(i)) >= 0) {
        i++;
      }
      if (i >= fmt.length()) {
        throw new EvalError("incomplete format");
      }
      char conv = fmt.charAt(i);
      String spec = fmt.substring(specStart, i);
      if (conv == '%') {
        sb.append('%');
        continue;
      }
      if (next >= values.size()) {
        throw new EvalError("not enough arguments for format string");
      }
      Object v = values.get(next++);
      if (v instanceof Map<?, ?>) {
        throw new EvalError("format requires a tuple of arguments");
      }
      switch (conv) {
        case 's' -> sb.append(pad(spec, Values.str(v)));
        case 'r' -> sb.append(pad(spec, Values.repr(v)));
        case 'd', 'i' -> {
          if (!Values.isNumber(v)) {
            throw new EvalError("%d format: a real number is required, not " + Values.typeName(v));
          }
          sb.append(String.format("%" + spec + "d", (long) Values.toDouble(v)));
        }
        case 'f' -> {
          if (!Values.isNumber(v)) {
            throw new EvalError("%f format: a real number is required, not " + Values.typeName(v));
          }
          sb.append(String.format("%" + (spec.isEmpty() ? ".6" : spec) + "f", Values.toDouble(v)));
        }
        default -> throw new EvalError("unsupported format character '" + conv + "'");
      }
      in.charge(sb.length());
    }
    if (next < values.size()) {
      throw new EvalError("not all arguments converted during string formatting");
    }
    return sb.toString();
  }

  private static String pad(String spec, String s) {
    if (spec.isEmpty()) {
      return s;
    }
    return String.format("%" + spec.replaceAll("[^0-9.\\-]", "") + "s", s);
  }
}
