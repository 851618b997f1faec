package dev.tandem.api.io;

import dev.tandem.api.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Views over maps of host tensors that read nothing themselves: a model's weights ({@link
 * ModelDirectory#weights}) are read from their files as each value is asked for, and these views
 * keep it that way, so that handing them to {@link dev.tandem.api.engine.Engine#createParameters}
 * holds one tensor on the host at a time. Copying such a map ({@code new LinkedHashMap<>(m)}) would
 * read every tensor at once.
 */
public final class TensorMaps {
  private TensorMaps() {}

  /**
   * The entries of {@code parts} in order, as one unmodifiable map; a later part's value replaces an
   * earlier one's under the same key, which keeps its place (as {@link Map#putAll} into a {@link
   * LinkedHashMap}).
   */
  @SafeVarargs
  public static Map<String, HostTensor> concat(Map<String, HostTensor>... parts) {
    Map<String, Map<String, HostTensor>> owner = new LinkedHashMap<>();
    for (Map<String, HostTensor> p : parts) {
      for (String k : p.keySet()) {
        owner.put(k, p); // as LinkedHashMap#putAll: a replaced key keeps its place
      }
    }
    return view(owner, Map.of());
  }

  /** {@code map} with {@code prefix} put before every key, as an unmodifiable map. */
  public static Map<String, HostTensor> prefixed(String prefix, Map<String, HostTensor> map) {
    Map<String, Map<String, HostTensor>> owner = new LinkedHashMap<>();
    Map<String, String> original = new LinkedHashMap<>();
    for (String k : map.keySet()) {
      owner.put(prefix + k, map);
      original.put(prefix + k, k);
    }
    return view(owner, original);
  }

  /** Models whose weights take more than this many bytes as F32 get {@link #releaseHostMemory}'s collection. */
  static final long RELEASE_ABOVE_BYTES = 64L << 20;

  /**
   * Hands the Java heap that reading {@code floats} float weights grew back to the operating system:
   * the weights were read into short-lived arrays and copied to the engine one by one, which leaves
   * the heap committed at its high-water mark (G1 gives memory back only after a full collection).
   * Call it once after {@link dev.tandem.api.engine.Engine#createParameters} with lazily read
   * weights; below {@value #RELEASE_ABOVE_BYTES} bytes it does nothing.
   */
  public static void releaseHostMemory(long floats) {
    if (4 * floats > RELEASE_ABOVE_BYTES) {
      System.gc();
    }
  }

  private static Map<String, HostTensor> view(
      Map<String, Map<String, HostTensor>> owner, Map<String, String> original) {
    return new LazyMap(owner.keySet(), k -> owner.get(k).get(original.getOrDefault(k, k)));
  }
}
