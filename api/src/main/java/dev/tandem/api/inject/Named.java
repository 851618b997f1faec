package dev.tandem.api.inject;

import java.util.Map;
import java.util.TreeSet;

/** Lookup by name with an error that lists the known names. */
final class Named {
  private Named() {}

  static <T> T get(Map<String, T> registry, String kind, String name) {
    T t = registry.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown " + kind + " '" + name + "', known: " + String.join(", ", new TreeSet<>(registry.keySet())));
    }
    return t;
  }
}
