package dev.tandem.api.io;

import dev.tandem.api.tensor.HostTensor;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An unmodifiable map of host tensors over a fixed key set whose values are produced by {@code
 * value} each time they are asked for, never kept: iterating the entries produces one value at a
 * time. The base of {@link LazyTensors} and of {@link TensorMaps}' views.
 */
class LazyMap extends AbstractMap<String, HostTensor> {
  private final Set<String> keys;
  private final Function<String, HostTensor> value;

  LazyMap(Set<String> keys, Function<String, HostTensor> value) {
    this.keys = Collections.unmodifiableSet(keys);
    this.value = value;
  }

  @Override
  public boolean containsKey(Object key) {
    return keys.contains(key);
  }

  @Override
  public HostTensor get(Object key) {
    return keys.contains(key) ? value.apply((String) key) : null;
  }

  @Override
  public int size() {
    return keys.size();
  }

  @Override
  public Set<String> keySet() {
    return keys;
  }

  @Override
  public Set<Map.Entry<String, HostTensor>> entrySet() {
    List<String> order = List.copyOf(keys);
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, HostTensor>> iterator() {
        Iterator<String> it = order.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Map.Entry<String, HostTensor> next() {
            String k = it.next();
            return new AbstractMap.SimpleImmutableEntry<>(k, value.apply(k));
          }
        };
      }

      @Override
      public int size() {
        return order.size();
      }
    };
  }
}
