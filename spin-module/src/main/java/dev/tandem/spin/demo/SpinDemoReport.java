package dev.tandem.spin.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.JsonFiles;
import dev.tandem.api.train.Intervals;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code spin_report.json} of {@code tandem demo spin}: engine, threads and seeds; per task the
 * split sizes, the beta grid with its validation scores, each seed's SFT validation curve, and every
 * stage's test metrics per seed; then, derived from those, each cell's mean with a 95% t interval
 * over seeds ({@link Intervals#overSeeds}) and the paper's two claims as paired differences over
 * seeds ({@link Intervals#pairedDifference}) with their {@link Intervals.Verdict}. Nothing in it
 * depends on time, so the same seeds, engine and threads give the same bytes.
 *
 * @param engine the engine's name
 * @param threads intra-op threads (0: the engine's default)
 * @param seeds the run seeds
 * @param settings the experiment's settings, in words (learning rates, epochs, grid, ...)
 * @param tasks the tasks, in order
 */
public record SpinDemoReport(String engine, int threads, List<Long> seeds, String settings, List<TaskResult> tasks) {
  /** The report file name. */
  public static final String FILE = "spin_report.json";

  /** The metrics of a stage: greedy exact match, NLL per completion token, held-out reward accuracy. */
  public static final List<String> METRICS = List.of("exact_match", "nll", "rewards_accuracies");

  /** How cells' intervals are computed, as the report states it. */
  public static final String INTERVAL = "95% t interval over seeds (cells); paired t over seeds (comparisons)";

  public SpinDemoReport {
    seeds = List.copyOf(seeds);
    tasks = List.copyOf(tasks);
  }

  /**
   * One task.
   *
   * @param task its name
   * @param sizes examples per split ({@code train}, {@code validation}, {@code test})
   * @param model the model's shape, in words
   * @param grid the beta grid and its validation scores
   * @param sft each seed's SFT run
   * @param stages every stage's test metrics per seed
   */
  public record TaskResult(String task, Map<String, Integer> sizes, String model, Grid grid, List<SftRun> sft, List<Stage> stages) {
    public TaskResult {
      sizes = Map.copyOf(new LinkedHashMap<>(sizes));
      sft = List.copyOf(sft);
      stages = List.copyOf(stages);
    }

    /** A stage by name. */
    public Stage stage(String name) {
      return stages.stream().filter(s -> s.stage().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException("no stage " + name));
    }

    /** The number of SPIN iterations. */
    public int iterations() {
      return (int) stages.stream().filter(s -> s.stage().startsWith("iter")).count();
    }
  }

  /**
   * A tuning grid, scored on validation.
   *
   * @param parameter what it tunes, e.g. {@code beta}
   * @param seed the run seed it was scored in
   * @param criterion the validation score, higher is better
   * @param values the grid
   * @param scores the score of each value
   * @param chosen the value taken
   */
  public record Grid(String parameter, long seed, String criterion, List<Double> values, List<Double> scores, double chosen) {
    public Grid {
      values = List.copyOf(values);
      scores = List.copyOf(scores);
    }
  }

  /**
   * One seed's SFT to convergence.
   *
   * @param seed the run seed
   * @param validation the validation NLL per completion token after each epoch
   * @param bestEpoch the epoch kept (1-based)
   */
  public record SftRun(long seed, List<Double> validation, int bestEpoch) {
    public SftRun {
      validation = List.copyOf(validation);
    }
  }

  /**
   * One stage's test metrics, per seed (NaN where a metric does not apply).
   *
   * @param stage {@code sft}, {@code iter<t>} or {@code continued_sft<t>}
   * @param values per metric of {@link #METRICS}, one value per seed
   */
  public record Stage(String stage, Map<String, double[]> values) {
    /** The per-seed values of a metric, or null when it does not apply (all NaN). */
    public double[] metric(String name) {
      double[] v = values.get(name);
      return v == null || Arrays.stream(v).allMatch(Double::isNaN) ? null : v;
    }

    /** The mean and 95% t interval over seeds of a metric, or null. */
    public Intervals.Interval interval(String name) {
      double[] v = metric(name);
      return v == null ? null : Intervals.overSeeds(v);
    }
  }

  /**
   * A comparison of two stages on one metric: the paired difference, signed so that positive
   * favours {@code a}.
   *
   * @param claim which of the paper's claims it tests
   * @param metric the metric
   * @param a the stage the claim says is better
   * @param b the other
   * @param difference the paired difference's mean and interval (lower NLL counts as better)
   * @param verdict what the interval says
   */
  public record Comparison(String claim, String metric, String a, String b, Intervals.Interval difference, Intervals.Verdict verdict) {}

  /**
   * The paper's claims, per metric: (1) SPIN's last iteration beats the converged SFT model; (2)
   * continued SFT, with the same budget, does not match SPIN (SPIN's last iteration against continued
   * SFT's last).
   */
  public static List<Comparison> comparisons(TaskResult t) {
    List<Comparison> out = new ArrayList<>();
    String last = "iter" + (t.iterations() - 1);
    String lastCont = "continued_sft" + (t.iterations() - 1);
    for (String metric : METRICS) {
      if (!metric.equals("rewards_accuracies")) {
        compare(out, t, "SPIN > converged SFT", metric, last, "sft");
      }
      compare(out, t, "continued SFT does not match SPIN", metric, last, lastCont);
    }
    return out;
  }

  private static void compare(List<Comparison> out, TaskResult t, String claim, String metric, String a, String b) {
    double[] va = t.stage(a).metric(metric);
    double[] vb = t.stage(b).metric(metric);
    if (va == null || vb == null) {
      return;
    }
    Intervals.Interval d = metric.equals("nll") ? Intervals.pairedDifference(vb, va) : Intervals.pairedDifference(va, vb);
    // one seed has no interval: nothing can be stated
    out.add(new Comparison(claim, metric, a, b, d, d.n() < 2 ? Intervals.Verdict.UNRESOLVED : Intervals.Verdict.of(d)));
  }

  // ---- JSON -----------------------------------------------------------------------------------

  /** Writes the report atomically. */
  public void write(Path file) throws IOException {
    ObjectNode root = JsonFiles.newObject();
    root.put("engine", engine);
    root.put("threads", threads);
    ArrayNode sn = root.putArray("seeds");
    seeds.forEach(sn::add);
    root.put("settings", settings);
    root.put("intervals", INTERVAL);
    ArrayNode ts = root.putArray("tasks");
    for (TaskResult t : tasks) {
      ObjectNode tn = ts.addObject();
      tn.put("task", t.task());
      ObjectNode sizes = tn.putObject("sizes");
      for (String k : List.of("train", "validation", "test")) {
        sizes.put(k, t.sizes().get(k));
      }
      tn.put("model", t.model());
      ObjectNode g = tn.putObject("grid");
      g.put("parameter", t.grid().parameter());
      g.put("seed", t.grid().seed());
      g.put("criterion", t.grid().criterion());
      t.grid().values().forEach(g.putArray("values")::add);
      t.grid().scores().forEach(g.putArray("scores")::add);
      g.put("chosen", t.grid().chosen());
      ArrayNode sft = tn.putArray("sft");
      for (SftRun r : t.sft()) {
        ObjectNode rn = sft.addObject();
        rn.put("seed", r.seed());
        rn.put("best_epoch", r.bestEpoch());
        r.validation().forEach(rn.putArray("validation_nll")::add);
      }
      ArrayNode stages = tn.putArray("stages");
      for (Stage s : t.stages()) {
        ObjectNode st = stages.addObject();
        st.put("stage", s.stage());
        for (String m : METRICS) {
          double[] v = s.metric(m);
          if (v == null) {
            st.putNull(m);
            continue;
          }
          ObjectNode mn = st.putObject(m);
          ArrayNode per = mn.putArray("per_seed");
          Arrays.stream(v).forEach(per::add);
          interval(mn, s.interval(m));
        }
      }
      ArrayNode cs = tn.putArray("claims");
      for (Comparison c : comparisons(t)) {
        ObjectNode cn = cs.addObject();
        cn.put("claim", c.claim());
        cn.put("metric", c.metric());
        cn.put("a", c.a());
        cn.put("b", c.b());
        interval(cn.putObject("difference"), c.difference());
        cn.put("verdict", c.verdict().label());
      }
    }
    JsonFiles.write(file, root);
  }

  private static void interval(ObjectNode n, Intervals.Interval i) {
    n.put("mean", round(i.mean()));
    n.put("low", round(i.low()));
    n.put("high", round(i.high()));
    n.put("method", i.method());
  }

  /** Reads a report written by {@link #write} (the derived intervals are computed again). */
  public static SpinDemoReport read(Path file) throws IOException {
    ObjectNode root = JsonFiles.readObject(file);
    List<Long> seeds = new ArrayList<>();
    root.path("seeds").forEach(s -> seeds.add(s.asLong()));
    List<TaskResult> tasks = new ArrayList<>();
    for (JsonNode tn : root.path("tasks")) {
      Map<String, Integer> sizes = new LinkedHashMap<>();
      tn.path("sizes").fields().forEachRemaining(e -> sizes.put(e.getKey(), e.getValue().asInt()));
      JsonNode g = tn.path("grid");
      Grid grid = new Grid(g.path("parameter").asText(), g.path("seed").asLong(), g.path("criterion").asText(), doubles(g.path("values")),
          doubles(g.path("scores")), g.path("chosen").asDouble());
      List<SftRun> sft = new ArrayList<>();
      for (JsonNode r : tn.path("sft")) {
        sft.add(new SftRun(r.path("seed").asLong(), doubles(r.path("validation_nll")), r.path("best_epoch").asInt()));
      }
      List<Stage> stages = new ArrayList<>();
      for (JsonNode st : tn.path("stages")) {
        Map<String, double[]> values = new LinkedHashMap<>();
        for (String m : METRICS) {
          JsonNode mn = st.path(m);
          double[] v = new double[seeds.size()];
          Arrays.fill(v, Double.NaN);
          if (mn.isObject()) {
            v = doubles(mn.path("per_seed")).stream().mapToDouble(Double::doubleValue).toArray();
          }
          values.put(m, v);
        }
        stages.add(new Stage(st.path("stage").asText(), values));
      }
      tasks.add(new TaskResult(tn.path("task").asText(), sizes, tn.path("model").asText(), grid, sft, stages));
    }
    return new SpinDemoReport(root.path("engine").asText(), root.path("threads").asInt(), seeds, root.path("settings").asText(), tasks);
  }

  private static List<Double> doubles(JsonNode a) {
    List<Double> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asDouble()));
    return out;
  }

  // ---- text -----------------------------------------------------------------------------------

  /** How a stage is labelled: {@code SFT}, {@code iter0}, {@code cont0}. */
  public static String label(String stage) {
    return stage.equals("sft") ? "SFT" : stage.replace("continued_sft", "cont");
  }

  /**
   * The report as text: a header (engine, threads, seeds, interval method), per task its splits,
   * SFT's stopping epochs, the grid and a table {@code metric | method | SFT | 1 | ... } of {@code
   * mean [low, high]} cells, then the claims with their verdicts.
   */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "demo spin: engine %s, %s, seeds %s; %s%n", engine,
        threads > 0 ? threads + (threads == 1 ? " thread" : " threads") : "default threads", seeds, INTERVAL));
    sb.append("settings: ").append(settings).append('\n');
    for (TaskResult t : tasks) {
      sb.append(String.format(Locale.ROOT, "%n%s: train %d, validation %d, test %d; %s%n", t.task(), t.sizes().get("train"), t.sizes().get("validation"),
          t.sizes().get("test"), t.model()));
      StringBuilder ep = new StringBuilder();
      for (SftRun r : t.sft()) {
        ep.append(String.format(Locale.ROOT, "%sseed %d: best epoch %d of %d (NLL %.4f)", ep.length() == 0 ? "" : ", ", r.seed(), r.bestEpoch(),
            r.validation().size(), r.validation().get(r.bestEpoch() - 1)));
      }
      sb.append("  SFT to convergence on validation: ").append(ep).append('\n');
      StringBuilder gs = new StringBuilder();
      for (int i = 0; i < t.grid().values().size(); i++) {
        gs.append(String.format(Locale.ROOT, "%s%s %.4f", i == 0 ? "" : ", ", trim(t.grid().values().get(i)), t.grid().scores().get(i)));
      }
      sb.append(String.format(Locale.ROOT, "  %s grid (seed %d, %s): %s; chosen %s%n", t.grid().parameter(), t.grid().seed(), t.grid().criterion(), gs,
          trim(t.grid().chosen())));
      int n = t.iterations();
      sb.append(String.format(Locale.ROOT, "  %-19s %-14s %-24s", "metric", "method", "SFT"));
      for (int i = 0; i < n; i++) {
        sb.append(String.format(Locale.ROOT, " %-24s", "iteration " + i));
      }
      sb.append('\n');
      for (String m : METRICS) {
        for (String method : List.of("iter", "continued_sft")) {
          StringBuilder row = new StringBuilder();
          boolean any = false;
          Intervals.Interval start = t.stage("sft").interval(m);
          row.append(String.format(Locale.ROOT, "  %-19s %-14s %-24s", m, method.equals("iter") ? "SPIN" : "continued SFT", start == null ? "-" : start.format()));
          for (int i = 0; i < n; i++) {
            Intervals.Interval c = t.stage(method + i).interval(m);
            any |= c != null;
            row.append(String.format(Locale.ROOT, " %-24s", c == null ? "-" : c.format()));
          }
          if (any) {
            sb.append(row.toString().stripTrailing()).append('\n');
          }
        }
      }
      sb.append("  claims (paired difference over seeds, positive favours the first; lower NLL is better):\n");
      for (Comparison c : comparisons(t)) {
        sb.append(String.format(Locale.ROOT, "  %-34s %-19s %-7s - %-14s %+.3f [%+.3f, %+.3f] %s%n", c.claim(), c.metric(), label(c.a()), label(c.b()),
            c.difference().mean(), c.difference().low(), c.difference().high(), c.verdict().label()));
      }
    }
    return sb.toString();
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf((float) v);
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
  }
}
