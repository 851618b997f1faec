package dev.tandem.tokenizers.hf.jinja;

import java.util.AbstractList;
import java.util.List;

/** An immutable Python tuple; differs from a list only in how it prints. */
final class Tuple extends AbstractList<Object> {
  private final List<Object> items;

  Tuple(List<Object> items) {
    this.items = items;
  }

  static Tuple of(Object... items) {
    return new Tuple(java.util.Arrays.asList(items));
  }

  @Override
  public Object get(int index) {
    return items.get(index);
  }

  @Override
  public int size() {
    return items.size();
  }
}
