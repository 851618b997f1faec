package dev.tandem.tokenizers.hf.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Jinja's built-in filters, with transformers' {@code tojson}. */
final class Filters {
  private Filters() { }

  static final Set<String> NAMES = Set.of("abs", "attr", "capitalize", "count", "d", "default",
      "dictsort", "e", "escape", "first", "float", "format", "indent", "int", "items", "join",
      "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
      "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title",
      "tojson", "trim", "unique", "upper", "wordcount");

  private static final Pattern WORD_SPLIT = Pattern.compile("([-\\s({\\[<]+)");
  private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);

  /** Positional argument {@code i}, or keyword {@code name}, or the default. */
  private static Object arg(List<Object> a, Map<String, Object> k, int i, String name, Object d) {
    if (i < a.size()) {
      return a.get(i);
    }
    return k.containsKey(name) ? k.get(name) : d;
  }

  private static String str(Object v) {
    return Values.str(v);
  }

  static Object apply(Interpreter in, String name, Object v, List<Object> a,
      Map<String, Object> k) {
    if (v instanceof Undefined u && Set.of("int", "float", "indent", "dictsort").contains(name)) {
      throw u.fail();
    }
    switch (name) {
      case "abs":
        if (Values.isFloat(v)) {
          return Math.abs(Values.toDouble(v));
        }
        if (Values.isNumber(v)) {
          return Math.abs(Values.toLong(v));
        }
        throw new EvalError("bad operand type for abs(): '" + Values.typeName(v) + "'");
      case "attr":
        return Access.getattr(v, str(arg(a, k, 0, "name", "")));
      case "capitalize":
        return Methods.capitalize(str(v));
      case "count":
      case "length":
        return (long) Values.length(v);
      case "d":
      case "default": {
        boolean bool = Values.truthy(arg(a, k, 1, "boolean", false));
        boolean use = v instanceof Undefined || (bool && !Values.truthy(v));
        return use ? arg(a, k, 0, "default_value", "") : v;
      }
      case "dictsort": {
        if (!(v instanceof Map<?, ?> m)) {
          throw new EvalError("dictsort needs a mapping");
        }
        boolean cs = Values.truthy(arg(a, k, 0, "case_sensitive", false));
        boolean byValue = "value".equals(arg(a, k, 1, "by", "key"));
        List<Object> items = new ArrayList<>();
        m.forEach((key, val) -> items.add(Tuple.of(key, val)));
        items.sort((x, y) -> Values.compare(sortKey(((List<?>) x).get(byValue ? 1 : 0), cs),
            sortKey(((List<?>) y).get(byValue ? 1 : 0), cs), "<"));
        if (Values.truthy(arg(a, k, 2, "reverse", false))) {
          java.util.Collections.reverse(items);
        }
        return items;
      }
      case "e":
      case "escape":
        return escape(str(v));
      case "first": {
        List<Object> items = Values.iterate(v);
        return items.isEmpty() ? new Undefined("No first item, sequence was empty.")
            : items.get(0);
      }
      case "last": {
        List<Object> items = Values.iterate(v);
        return items.isEmpty() ? new Undefined("No last item, sequence was empty.")
            : items.get(items.size() - 1);
      }
      case "float":
        return toFloat(v, arg(a, k, 0, "default", 0.0));
      case "int":
        return toInt(v, arg(a, k, 0, "default", 0L), arg(a, k, 1, "base", 10L));
      case "format":
        return Format.percent(in, str(v), new Tuple(a));
      case "indent":
        return indent(str(v), arg(a, k, 0, "width", 4L),
            Values.truthy(arg(a, k, 1, "first", false)),
            Values.truthy(arg(a, k, 2, "blank", false)));
      case "items": {
        if (v instanceof Undefined) {
          return new ArrayList<>();
        }
        if (!(v instanceof Map<?, ?> m)) {
          throw new EvalError("Can only get item pairs from a mapping.");
        }
        List<Object> items = new ArrayList<>();
        m.forEach((key, val) -> items.add(Tuple.of(key, val)));
        return items;
      }
      case "join": {
        String sep = str(arg(a, k, 0, "d", ""));
        Object attribute = arg(a, k, 1, "attribute", null);
        StringBuilder sb = new StringBuilder();
        List<Object> items = Values.iterate(v);
        for (int i = 0; i < items.size(); i++) {
          if (i > 0) {
            sb.append(sep);
          }
          Object item = attribute == null ? items.get(i) : attribute(items.get(i), attribute);
          sb.append(str(item));
          in.charge(sb.length());
        }
        return sb.toString();
      }
      case "list":
        return Values.iterate(v);
      case "lower":
        return str(v).toLowerCase(java.util.Locale.ROOT);
      case "upper":
        return str(v).toUpperCase(java.util.Locale.ROOT);
      case "title":
        return title(str(v));
      case "map":
        return map(in, v, a, k);
      case "max":
      case "min": {
        List<Object> items = Values.iterate(v);
        if (items.isEmpty()) {
          return new Undefined("No aggregated item, sequence was empty.");
        }
        boolean cs = Values.truthy(arg(a, k, 0, "case_sensitive", false));
        Object attribute = arg(a, k, 1, "attribute", null);
        Comparator<Object> cmp = (x, y) -> Values.compare(
            sortKey(attribute == null ? x : attribute(x, attribute), cs),
            sortKey(attribute == null ? y : attribute(y, attribute), cs), "<");
        Object best = items.get(0);
        for (Object o : items) {
          int c = cmp.compare(o, best);
          if (name.equals("max") ? c > 0 : c < 0) {
            best = o;
          }
        }
        return best;
      }
      case "select":
      case "reject":
      case "selectattr":
      case "rejectattr":
        return select(v, a, name.startsWith("select"), name.endsWith("attr"));
      case "replace":
        return Methods.replace(in, str(v), str(arg(a, k, 0, "old", "")),
            str(arg(a, k, 1, "new", "")), Values.toLong(orElse(arg(a, k, 2, "count", -1L), -1L)));
      case "reverse": {
        if (v instanceof CharSequence s) {
          return new StringBuilder(s).reverse().toString();
        }
        List<Object> items = Values.iterate(v);
        java.util.Collections.reverse(items);
        return items;
      }
      case "round":
        return round(v, arg(a, k, 0, "precision", 0L), str(arg(a, k, 1, "method", "common")));
      case "safe":
      case "string":
        return str(v);
      case "sort":
        return sort(v, Values.truthy(arg(a, k, 0, "reverse", false)),
            Values.truthy(arg(a, k, 1, "case_sensitive", false)), arg(a, k, 2, "attribute", null));
      case "sum": {
        Object attribute = arg(a, k, 0, "attribute", null);
        Object total = arg(a, k, 1, "start", 0L);
        for (Object o : Values.iterate(v)) {
          total = Ops.binary(in, "+", total, attribute == null ? o : attribute(o, attribute));
        }
        return total;
      }
      case "tojson":
        return in.charge(new JsonWriter(in, arg(a, k, 1, "indent", null),
            arg(a, k, 2, "separators", null), Values.truthy(arg(a, k, 3, "sort_keys", false)),
            Values.truthy(arg(a, k, 0, "ensure_ascii", false))).write(v));
      case "trim":
        return Methods.strip(str(v), arg(a, k, 0, "chars", null), true, true);
      case "unique":
        return unique(v, Values.truthy(arg(a, k, 0, "case_sensitive", false)),
            arg(a, k, 1, "attribute", null));
      case "wordcount": {
        Matcher m = WORD.matcher(str(v));
        long n = 0;
        while (m.find()) {
          n++;
        }
        return n;
      }
      default:
        throw new EvalError("No filter named '" + name + "'.");
    }
  }

  private static Object orElse(Object v, Object d) {
    return v == null ? d : v;
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&#34;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder();
    Matcher m = WORD_SPLIT.matcher(s);
    int last = 0;
    List<String> parts = new ArrayList<>();
    while (m.find()) {
      parts.add(s.substring(last, m.start()));
      parts.add(m.group());
      last = m.end();
    }
    parts.add(s.substring(last));
    for (String p : parts) {
      if (!p.isEmpty()) {
        sb.append(p.substring(0, 1).toUpperCase(java.util.Locale.ROOT))
            .append(p.substring(1).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return sb.toString();
  }

  private static Object toFloat(Object v, Object dflt) {
    if (Values.isNumber(v)) {
      return Values.toDouble(v);
    }
    if (v instanceof CharSequence s) {
      try {
        String t = s.toString().strip().replace("_", "");
        if (t.matches("[+-]?(inf|infinity|nan)")) {
          return Double.parseDouble(t.replace("inf", "Infinity").replace("nan", "NaN")
              .replace("Infinityinity", "Infinity"));
        }
        if (t.matches("[+-]?(\\d+\\.?\\d*([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)")) {
          return Double.parseDouble(t);
        }
      } catch (NumberFormatException e) {
        return dflt;
      }
    }
    return dflt;
  }

  private static Object toInt(Object v, Object dflt, Object base) {
    if (Values.isFloat(v)) {
      return (long) Values.toDouble(v);
    }
    if (Values.isNumber(v)) {
      return Values.toLong(v);
    }
    if (v instanceof CharSequence s) {
      String t = s.toString().strip().replace("_", "");
      try {
        return Long.parseLong(t.startsWith("+") ? t.substring(1) : t, (int) Values.toLong(base));
      } catch (NumberFormatException e) {
        Object f = toFloat(v, null);
        return f == null ? dflt : (Object) (long) (double) (Double) f;
      }
    }
    return dflt;
  }

  private static String indent(String s, Object width, boolean first, boolean blank) {
    String ind = width instanceof CharSequence w ? w.toString()
        : " ".repeat((int) Math.max(0, Math.min(1000, Values.toLong(width))));
    s = s + "\n";
    List<Object> lines = splitlines(s);
    StringBuilder rv = new StringBuilder();
    if (blank) {
      for (int i = 0; i < lines.size(); i++) {
        if (i > 0) {
          rv.append('\n').append(ind);
        }
        rv.append(lines.get(i));
      }
    } else {
      rv.append(lines.isEmpty() ? "" : lines.get(0));
      for (int i = 1; i < lines.size(); i++) {
        String line = (String) lines.get(i);
        rv.append('\n').append(line.isEmpty() ? "" : ind + line);
      }
    }
    return first ? ind + rv : rv.toString();
  }

  private static List<Object> splitlines(String s) {
    List<Object> r = new ArrayList<>(List.of((Object[]) s.split("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]", -1)));
    if (!r.isEmpty() && "".equals(r.get(r.size() - 1))) {
      r.remove(r.size() - 1);
    }
    return r;
  }

  private static Object round(Object v, Object precision, String method) {
    if (!Values.isNumber(v)) {
      throw new EvalError("round needs a number, not " + Values.typeName(v));
    }
    double d = Values.toDouble(v);
    int p = (int) Values.toLong(precision);
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return d;
    }
    switch (method) {
      case "common":
        return new BigDecimal(d).setScale(p, RoundingMode.HALF_EVEN).doubleValue();
      case "ceil":
        return Math.ceil(d * Math.pow(10, p)) / Math.pow(10, p);
      case "floor":
        return Math.floor(d * Math.pow(10, p)) / Math.pow(10, p);
      default:
        throw new EvalError("method must be common, ceil or floor");
    }
  }

  /** Jinja's attribute getter: dotted paths, integer parts index. */
  private static Object attribute(Object item, Object path) {
    Object cur = item;
    for (String part : str(path).split("\\.")) {
      Object key = part.matches("\\d+") ? (Object) Long.parseLong(part) : part;
      cur = Access.getitem(cur, key);
    }
    return cur;
  }

  private static Object sortKey(Object v, boolean caseSensitive) {
    return !caseSensitive && v instanceof CharSequence s
        ? s.toString().toLowerCase(java.util.Locale.ROOT) : v;
  }

  private static List<Object> sort(Object v, boolean reverse, boolean cs, Object attribute) {
    List<Object> items = Values.iterate(v);
    Comparator<Object> cmp = (x, y) -> Values.compare(
        sortKey(attribute == null ? x : attribute(x, attribute), cs),
        sortKey(attribute == null ? y : attribute(y, attribute), cs), "<");
    items.sort(reverse ? cmp.reversed() : cmp);
    return items;
  }

  private static List<Object> unique(Object v, boolean cs, Object attribute) {
    List<Object> seen = new ArrayList<>();
    List<Object> r = new ArrayList<>();
    for (Object o : Values.iterate(v)) {
      Object key = sortKey(attribute == null ? o : attribute(o, attribute), cs);
      if (!Ops.contains(seen, key)) {
        seen.add(key);
        r.add(o);
      }
    }
    return r;
  }

  private static List<Object> map(Interpreter in, Object v, List<Object> a,
      Map<String, Object> k) {
    List<Object> r = new ArrayList<>();
    if (k.containsKey("attribute")) {
      Object attribute = k.get("attribute");
      for (Object o : Values.iterate(v)) {
        Object x = attribute(o, attribute);
        r.add(x instanceof Undefined && k.containsKey("default") ? k.get("default") : x);
      }
      return r;
    }
    if (a.isEmpty()) {
      throw new EvalError("map requires a filter argument");
    }
    String filter = str(a.get(0));
    if (!NAMES.contains(filter)) {
      throw new EvalError("No filter named '" + filter + "'.");
    }
    Map<String, Object> kw = new LinkedHashMap<>(k);
    for (Object o : Values.iterate(v)) {
      r.add(apply(in, filter, o, a.subList(1, a.size()), kw));
    }
    return r;
  }

  private static List<Object> select(Object v, List<Object> a, boolean keep, boolean attr) {
    int off = attr ? 1 : 0;
    if (attr && a.isEmpty()) {
      throw new EvalError("Missing parameter for attribute name");
    }
    String test = a.size() > off ? str(a.get(off)) : null;
    List<Object> testArgs = a.size() > off + 1 ? a.subList(off + 1, a.size()) : List.of();
    if (test != null && !Tests.NAMES.contains(test)) {
      throw new EvalError("No test named '" + test + "'.");
    }
    List<Object> r = new ArrayList<>();
    for (Object o : Values.iterate(v)) {
      Object x = attr ? attribute(o, a.get(0)) : o;
      boolean ok = test == null ? Values.truthy(x) : Tests.apply(test, x, testArgs);
      if (ok == keep) {
        r.add(o);
      }
    }
    return r;
  }
}
