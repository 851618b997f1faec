package dev.tandem.tokenizers.hf.jinja;

import java.util.HashMap;
import java.util.Map;

/** Variables of one frame (template, loop iteration, macro call), chained to its parent. */
final class Scope {
  private final Scope parent;
  private final Map<String, Object> vars = new HashMap<>();

  Scope(Scope parent) {
    this.parent = parent;
  }

  /** The value, or {@link #MISSING}. */
  Object lookup(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      Object v = s.vars.getOrDefault(name, MISSING);
      if (v != MISSING) {
        return v;
      }
    }
    return MISSING;
  }

  void set(String name, Object value) {
    vars.put(name, value);
  }

  static final Object MISSING = new Object();
}
