package dev.tandem.api.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an engine spent its time while running some work, op by op ({@link Engine#profile}): each
 * native op's calls and self time (its own time, less the ops it called), largest first.
 *
 * @param ops the ops, by self time, largest first
 * @param totalMillis the sum of the self times (the time inside native ops)
 */
public record OpProfile(List<Op> ops, double totalMillis) {
  /**
   * One op.
   *
   * @param name the engine's name for it, e.g. {@code aten::mm}
   * @param calls how many times it ran
   * @param selfMillis its self time
   * @param medianSelfMicros the median self time of one call: {@link #typicalMillis()} scales it
   *     by the calls, a total that the odd long call (a profiler stall, a page fault, a preempted
   *     thread) does not move
   */
  public record Op(String name, long calls, double selfMillis, double medianSelfMicros) {
    /** An op whose calls took the same time each. */
    public Op(String name, long calls, double selfMillis) {
      this(name, calls, selfMillis, calls == 0 ? 0 : selfMillis * 1000 / calls);
    }

    /** The calls times the median self time of one call, in milliseconds. */
    public double typicalMillis() {
      return calls * medianSelfMicros / 1000;
    }
  }

  /** The {@code n} ops with the most self time. */
  public List<Op> top(int n) {
    return ops.subList(0, Math.min(n, ops.size()));
  }

  /**
   * Per op, the least self time over {@code runs} of the same work (and the calls of the run it came
   * from): one run's profile carries the odd pause (a page fault, a preempted thread) inside some
   * op, and the least over a few runs drops it.
   *
   * @throws IllegalArgumentException if {@code runs} is empty
   */
  public static OpProfile leastOf(List<OpProfile> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no profiles");
    }
    Map<String, Op> least = new HashMap<>();
    for (OpProfile r : runs) {
      for (Op op : r.ops()) {
        least.merge(op.name(), op, (a, b) -> b.selfMillis() < a.selfMillis() ? b : a);
      }
    }
    List<Op> ops = new ArrayList<>(least.values());
    ops.sort(Comparator.comparingDouble(Op::selfMillis).reversed().thenComparing(Op::name));
    return new OpProfile(List.copyOf(ops), ops.stream().mapToDouble(Op::selfMillis).sum());
  }

  /** An op's share of {@link #totalMillis()}. */
  public double share(Op op) {
    return totalMillis > 0 ? op.selfMillis() / totalMillis : 0;
  }

  /**
   * The profile of a Chrome trace ({@code {"traceEvents": [...]}} or a bare array, complete events
   * {@code "ph": "X"} with {@code ts} and {@code dur} in microseconds): per thread, an event's self
   * time is its duration less that of the events nested directly inside it.
   *
   * @throws IllegalArgumentException if {@code trace} holds no event list
   */
  public static OpProfile fromChromeTrace(JsonNode trace) {
    JsonNode events = trace.isArray() ? trace : trace.get("traceEvents");
    if (events == null || !events.isArray()) {
      throw new IllegalArgumentException("a Chrome trace needs a traceEvents array");
    }
    record Event(String name, String thread, double ts, double dur) {}
    Map<String, List<Event>> byThread = new LinkedHashMap<>();
    for (JsonNode e : events) {
      if (!"X".equals(e.path("ph").asText("X")) || !e.has("dur") || !e.has("ts") || !e.has("name")) {
        continue;
      }
      String thread = e.path("pid").asText() + "/" + e.path("tid").asText();
      byThread.computeIfAbsent(thread, k -> new ArrayList<>()).add(new Event(e.get("name").asText(), thread, e.get("ts").asDouble(), e.get("dur").asDouble()));
    }
    Map<String, List<Double>> acc = new HashMap<>(); // name -> the self micros of each call
    for (List<Event> list : byThread.values()) {
      list.sort(Comparator.comparingDouble(Event::ts).thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
      Deque<double[]> open = new ArrayDeque<>(); // {end, self micros, index}
      Deque<String> names = new ArrayDeque<>();
      for (Event e : list) {
        while (!open.isEmpty() && open.peek()[0] <= e.ts()) {
          close(acc, names.pop(), open.pop());
        }
        if (!open.isEmpty()) {
          open.peek()[1] -= Math.min(e.dur(), open.peek()[0] - e.ts());
        }
        open.push(new double[] {e.ts() + e.dur(), e.dur()});
        names.push(e.name());
      }
      while (!open.isEmpty()) {
        close(acc, names.pop(), open.pop());
      }
    }
    List<Op> ops = new ArrayList<>();
    double total = 0;
    for (Map.Entry<String, List<Double>> e : acc.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double sum = java.util.Arrays.stream(v).sum();
      double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      ops.add(new Op(e.getKey(), v.length, sum / 1000, median));
      total += sum / 1000;
    }
    ops.sort(Comparator.comparingDouble(Op::selfMillis).reversed().thenComparing(Op::name));
    return new OpProfile(List.copyOf(ops), total);
  }

  private static void close(Map<String, List<Double>> acc, String name, double[] event) {
    acc.computeIfAbsent(name, k -> new ArrayList<>()).add(Math.max(0, event[1]));
  }
}
