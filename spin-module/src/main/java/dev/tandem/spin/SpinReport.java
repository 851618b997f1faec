package dev.tandem.spin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code spin_report.json}: per task, the held-out measurements after each stage: {@code {"tasks":
 * [{"task": NAME, "stages": [{"stage": "sft" | "iter0" | ... | "continued_sft", "exact_match": x,
 * "dev_nll": x, "rewards_accuracies": x}, ...]}, ...]}}, a field that does not apply being null.
 *
 * @param tasks the tasks, in order
 */
public record SpinReport(List<Task> tasks) {
  /** The report file name. */
  public static final String FILE = "spin_report.json";

  public SpinReport {
    tasks = List.copyOf(tasks);
  }

  /**
   * @param task the task's name, e.g. {@code addition}
   * @param stages its stages, in order
   */
  public record Task(String task, List<Stage> stages) {
    public Task {
      stages = List.copyOf(stages);
    }
  }

  /**
   * One stage's held-out measurements.
   *
   * @param stage {@code sft}, {@code iter0}, ..., or {@code continued_sft}
   * @param exactMatch greedy exact-match accuracy, or null
   * @param devNll the mean NLL per token of the human completions, or null
   * @param rewardsAccuracies the fraction of held-out pairs (human response against the opponent's)
   *     whose implicit reward prefers the human one, or null
   */
  public record Stage(String stage, Double exactMatch, Double devNll, Double rewardsAccuracies) {
    /** The stage of a {@link SelfPlay} stage line ({@code eval_exact_match}, {@code eval_nll}, ...). */
    public static Stage fromLine(Map<String, Object> line) {
      return new Stage((String) line.get("stage"), number(line.get("eval_exact_match")), number(line.get("eval_nll")), number(line.get("eval_rewards/accuracies")));
    }

    private static Double number(Object o) {
      return o instanceof Number n ? n.doubleValue() : null;
    }
  }

  /** The task of a SPIN run: its stage lines as {@link SelfPlay.Result#stages()} gives them. */
  public static Task task(String name, List<Map<String, Object>> stageLines) {
    return new Task(name, stageLines.stream().map(Stage::fromLine).toList());
  }

  /** Writes the report atomically. */
  public void write(Path file) throws IOException {
    ObjectNode root = JsonFiles.newObject();
    ArrayNode ts = root.putArray("tasks");
    for (Task t : tasks) {
      ObjectNode tn = ts.addObject();
      tn.put("task", t.task());
      ArrayNode ss = tn.putArray("stages");
      for (Stage s : t.stages()) {
        ObjectNode sn = ss.addObject();
        sn.put("stage", s.stage());
        put(sn, "exact_match", s.exactMatch());
        put(sn, "dev_nll", s.devNll());
        put(sn, "rewards_accuracies", s.rewardsAccuracies());
      }
    }
    JsonFiles.write(file, root);
  }

  /** Reads a report written by {@link #write}. */
  public static SpinReport read(Path file) throws IOException {
    ObjectNode root = JsonFiles.readObject(file);
    List<Task> tasks = new ArrayList<>();
    for (JsonNode tn : root.path("tasks")) {
      List<Stage> stages = new ArrayList<>();
      for (JsonNode sn : tn.path("stages")) {
        stages.add(new Stage(sn.path("stage").asText(), get(sn, "exact_match"), get(sn, "dev_nll"), get(sn, "rewards_accuracies")));
      }
      tasks.add(new Task(tn.path("task").asText(), stages));
    }
    return new SpinReport(tasks);
  }

  private static void put(ObjectNode n, String field, Double v) {
    if (v == null || !Double.isFinite(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static Double get(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asDouble();
  }

  /** How a stage is labelled in tables and plots: {@code SFT}, {@code iter0}, {@code continued SFT}. */
  public static String label(String stage) {
    return switch (stage) {
      case "sft" -> "SFT";
      case "continued_sft" -> "continued SFT";
      default -> stage;
    };
  }

  /** The metrics in table order, by their JSON names. */
  public static final List<String> METRICS = List.of("exact_match", "dev_nll", "rewards_accuracies");

  /** A metric of a stage by its JSON name. */
  public static Double metric(Stage s, String name) {
    return switch (name) {
      case "exact_match" -> s.exactMatch();
      case "dev_nll" -> s.devNll();
      case "rewards_accuracies" -> s.rewardsAccuracies();
      default -> throw new IllegalArgumentException("unknown metric '" + name + "', known: " + METRICS);
    };
  }

  /**
   * The table {@code task | metric | SFT | iter0 | ... | continued SFT}, one row per task and metric
   * that applies to it, as fixed-width text.
   */
  public String table() {
    Set<String> stages = new LinkedHashSet<>();
    tasks.forEach(t -> t.stages().forEach(s -> stages.add(s.stage())));
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-10s %-19s", "task", "metric"));
    for (String s : stages) {
      sb.append(String.format(" %13s", label(s)));
    }
    sb.append('\n');
    for (Task t : tasks) {
      for (String m : METRICS) {
        if (t.stages().stream().allMatch(s -> metric(s, m) == null)) {
          continue;
        }
        sb.append(String.format("%-10s %-19s", t.task(), m));
        for (String name : stages) {
          Double v = t.stages().stream().filter(s -> s.stage().equals(name)).map(s -> metric(s, m)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
          sb.append(v == null ? String.format(" %13s", "-") : String.format(" %13.4f", v));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * The evaluation and throughput fields of a stage line of {@link SelfPlay#METRICS}, {@code
   * key=value ...}: what progress output prints per stage.
   */
  public static String summary(Map<String, Object> line) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : line.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("eval_") || k.equals("generated_tokens_per_second") || k.equals("train_steps") || k.equals("seconds")) {
        Object v = e.getValue();
        sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v instanceof Double d ? String.format("%.4f", d) : v);
      }
    }
    return sb.toString();
  }
}
