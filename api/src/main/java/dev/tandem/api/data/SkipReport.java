package dev.tandem.api.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happens to examples that cannot be used (so far: longer than the model context), so none is
 * ever dropped silently. A {@link #strict()} report turns the first one into a {@link
 * DataFormatException} naming its source; a {@link #collecting()} report counts them by reason and
 * keeps the first few sources of each, for a summary such as {@code skipped 3 of 2000 examples: 3
 * longer than the context of 256 tokens (train.jsonl:17, ...)}. Thread-safe.
 */
public final class SkipReport {
  /** Sources kept per reason. */
  public static final int SOURCES_KEPT = 5;

  private final boolean strict;
  private final Map<String, Integer> counts = new LinkedHashMap<>();
  private final Map<String, List<String>> sources = new LinkedHashMap<>();

  private SkipReport(boolean strict) {
    this.strict = strict;
  }

  /** A report that fails on the first skip. */
  public static SkipReport strict() {
    return new SkipReport(true);
  }

  /** A report that counts skips. */
  public static SkipReport collecting() {
    return new SkipReport(false);
  }

  /** Whether skips are errors. */
  public boolean isStrict() {
    return strict;
  }

  /**
   * Records that the example at {@code source} is skipped for {@code reason} (the key counts are
   * kept by, e.g. {@code longer than the context of 256 tokens}); {@code detail} (e.g. {@code 300
   * input tokens}) is only used in the error of a strict report.
   *
   * @throws DataFormatException {@code source: reason (detail)} if the report is strict
   */
  public synchronized void skip(String source, String reason, String detail) {
    if (strict) {
      throw new DataFormatException(source, reason + " (" + detail + ")");
    }
    counts.merge(reason, 1, Integer::sum);
    List<String> kept = sources.computeIfAbsent(reason, r -> new ArrayList<>());
    if (kept.size() < SOURCES_KEPT) {
      kept.add(source);
    }
  }

  /** Number of examples skipped. */
  public synchronized int total() {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Whether nothing was skipped. */
  public synchronized boolean isEmpty() {
    return counts.isEmpty();
  }

  /** Skips by reason, in order of first occurrence. */
  public synchronized Map<String, Integer> counts() {
    return Map.copyOf(counts);
  }

  /** The first {@value #SOURCES_KEPT} sources skipped for {@code reason}. */
  public synchronized List<String> sources(String reason) {
    return List.copyOf(sources.getOrDefault(reason, List.of()));
  }

  /** {@code skipped N examples: n1 reason1 (src, src, ...); n2 reason2 (...)}, or {@code nothing skipped}. */
  @Override
  public synchronized String toString() {
    if (counts.isEmpty()) {
      return "nothing skipped";
    }
    StringBuilder sb = new StringBuilder("skipped ").append(total()).append(" examples: ");
    String sep = "";
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      List<String> s = sources.get(e.getKey());
      sb.append(sep).append(e.getValue()).append(' ').append(e.getKey()).append(" (").append(String.join(", ", s));
      sb.append(e.getValue() > s.size() ? ", ...)" : ")");
      sep = "; ";
    }
    return sb.toString();
  }
}
