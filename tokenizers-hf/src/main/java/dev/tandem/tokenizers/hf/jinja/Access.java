package dev.tandem.tokenizers.hf.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's attribute and item access: dict keys, whitelisted methods, loop and namespace
 * fields. Nothing else is reachable; names starting with an underscore are always undefined.
 */
final class Access {
  private Access() { }

  static Object getattr(Object obj, String attr) {
    if (obj instanceof Undefined u) {
      throw u.fail();
    }
    if (attr.startsWith("_")) {
      return new Undefined("access to attribute '" + attr + "' of '" + Values.typeName(obj)
          + "' object is unsafe.");
    }
    if (obj instanceof LoopInfo loop) {
      return loop.attribute(attr);
    }
    if (obj instanceof Namespace ns) {
      return ns.values.containsKey(attr) ? ns.values.get(attr)
          : new Undefined("'Namespace' object has no attribute '" + attr + "'");
    }
    Object method = Methods.bind(obj, attr);
    if (method != null) {
      return method;
    }
    if (obj instanceof Map<?, ?> m) {
      Object k = Values.findKey(m, attr);
      if (k != Values.NO_KEY) {
        return m.get(k);
      }
    }
    return new Undefined((obj == null ? "'None'" : "'" + Values.typeName(obj) + " object'")
        + " has no attribute '" + attr + "'");
  }

  static Object getitem(Object obj, Object key) {
    if (obj instanceof Undefined u) {
      throw u.fail();
    }
    if (obj instanceof Map<?, ?> m) {
      Object k = Values.findKey(m, key);
      if (k != Values.NO_KEY) {
        return m.get(k);
      }
    } else if ((obj instanceof List || obj instanceof CharSequence)
        && (Values.isInt(key) || key instanceof Boolean)) {
      List<Object> items = obj instanceof List<?> l ? new ArrayList<>(l) : Values.iterate(obj);
      long idx = Values.toLong(key);
      if (idx < 0) {
        idx += items.size();
      }
      if (idx >= 0 && idx < items.size()) {
        return items.get((int) idx);
      }
      return new Undefined(Values.typeName(obj) + " object has no element " + Values.repr(key));
    }
    if (key instanceof CharSequence s) {
      return getattr(obj, s.toString());
    }
    return new Undefined((obj == null ? "None" : Values.typeName(obj) + " object")
        + " has no element " + Values.repr(key));
  }

  static Object slice(Object obj, Object start, Object stop, Object step) {
    if (obj instanceof Undefined u) {
      throw u.fail();
    }
    if (!(obj instanceof List) && !(obj instanceof CharSequence)) {
      throw new EvalError("'" + Values.typeName(obj) + "' object is not subscriptable");
    }
    List<Object> items = obj instanceof List<?> l ? new ArrayList<>(l) : Values.iterate(obj);
    int n = items.size();
    long st = step == null ? 1 : index(step);
    if (st == 0) {
      throw new EvalError("slice step cannot be zero");
    }
    long lo;
    long hi;
    if (st > 0) {
      lo = start == null ? 0 : clamp(index(start), n, 0, n);
      hi = stop == null ? n : clamp(index(stop), n, 0, n);
    } else {
      lo = start == null ? n - 1 : clamp(index(start), n, -1, n - 1);
      hi = stop == null ? -1 : clamp(index(stop), n, -1, n - 1);
    }
    List<Object> r = new ArrayList<>();
    for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
      r.add(items.get((int) i));
    }
    if (obj instanceof CharSequence) {
      StringBuilder sb = new StringBuilder();
      r.forEach(c -> sb.append((String) c));
      return sb.toString();
    }
    return obj instanceof Tuple ? new Tuple(r) : r;
  }

  private static long index(Object o) {
    if (o == null) {
      throw new EvalError("slice indices must be integers or None");
    }
    if (!Values.isInt(o) && !(o instanceof Boolean)) {
      throw new EvalError("slice indices must be integers or None or have an __index__ method");
    }
    return Values.toLong(o);
  }

  private static long clamp(long i, int n, long min, long max) {
    if (i < 0) {
      i += n;
    }
    return Math.max(min, Math.min(max, i));
  }
}
