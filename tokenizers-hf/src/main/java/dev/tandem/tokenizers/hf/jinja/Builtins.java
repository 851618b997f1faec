package dev.tandem.tokenizers.hf.jinja;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Global functions: Jinja's {@code range}, {@code namespace}, {@code dict}, and transformers'
 * {@code raise_exception} and {@code strftime_now}.
 */
final class Builtins {
  private Builtins() { }

  /** Jinja's sandbox refuses ranges longer than this. */
  static final long MAX_RANGE = 100_000;

  private static final Map<String, JinjaCallable> GLOBALS = Map.of(
      "range", Builtins::range,
      "namespace", (in, a, k) -> {
        Namespace ns = new Namespace();
        for (Object o : a) {
          if (!(o instanceof Map<?, ?> m)) {
            throw new EvalError("namespace() takes a dict or keyword arguments");
          }
          m.forEach((key, v) -> ns.values.put(Values.str(key), v));
        }
        ns.values.putAll(k);
        return ns;
      },
      "dict", (in, a, k) -> {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (Object o : a) {
          if (o instanceof Map<?, ?> src) {
            m.putAll(src);
          }
        }
        m.putAll(k);
        return m;
      },
      "raise_exception", (in, a, k) -> {
        throw new EvalError(a.isEmpty() ? Values.str(k.get("message")) : Values.str(a.get(0)));
      },
      "strftime_now", (in, a, k) -> strftime(LocalDateTime.now(in.clock()), Values.str(a.get(0))));

  static JinjaCallable get(String name) {
    return GLOBALS.get(name);
  }

  private static Object range(Interpreter in, List<Object> a, Map<String, Object> k) {
    for (Object o : a) {
      if (!Values.isInt(o) && !(o instanceof Boolean)) {
        throw new EvalError("'" + Values.typeName(o) + "' object cannot be interpreted as an"
            + " integer");
      }
    }
    long start = 0;
    long stop;
    long step = 1;
    if (a.size() == 1) {
      stop = Values.toLong(a.get(0));
    } else if (a.size() == 2 || a.size() == 3) {
      start = Values.toLong(a.get(0));
      stop = Values.toLong(a.get(1));
      step = a.size() == 3 ? Values.toLong(a.get(2)) : 1;
    } else {
      throw new EvalError("range expected 1 to 3 arguments, got " + a.size());
    }
    if (step == 0) {
      throw new EvalError("range() arg 3 must not be zero");
    }
    double len = Math.max(0, Math.ceil(((double) stop - start) / step));
    long max = Math.min(MAX_RANGE, in.limits().maxLoopIterations());
    if (len > max) {
      throw in.limitError("range of " + (long) len + " items. Range too big. The sandbox blocks"
          + " ranges larger than MAX_RANGE (" + max + ").");
    }
    List<Object> r = new ArrayList<>((int) len);
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      r.add(i);
    }
    return r;
  }

  static String strftime(LocalDateTime t, String fmt) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c != '%' || i + 1 >= fmt.length()) {
        sb.append(c);
        continue;
      }
      char d = fmt.charAt(++i);
      switch (d) {
        case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
        case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
        case 'Y' -> sb.append(t.getYear());
        case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
        case 'H' -> sb.append(String.format("%02d", t.getHour()));
        case 'I' -> sb.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
        case 'M' -> sb.append(String.format("%02d", t.getMinute()));
        case 'S' -> sb.append(String.format("%02d", t.getSecond()));
        case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
        case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
        case 'e' -> sb.append(String.format("%2d", t.getDayOfMonth()));
        case '%' -> sb.append('%');
        default -> sb.append('%').append(d);
      }
    }
    return sb.toString();
  }
}
