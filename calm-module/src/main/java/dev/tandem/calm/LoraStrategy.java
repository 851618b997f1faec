package dev.tandem.calm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.adapter.LoraConfig;
import dev.tandem.api.compose.Adapters;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code lora}: a low-rank adapter on the anchor's projections, the baseline CALM is compared
 * against. It takes no augmenting model, trains the adapter alone, and {@link Composition#merge
 * merges} into a plain model directory. The adapter is the api's PEFT adapter ({@link
 * LoraComposition}), for every model family, and a composed directory holds it in PEFT's layout
 * ({@code adapter_config.json}, {@code adapter_model.safetensors}) beside {@code composition.json}.
 *
 * <p>Options ({@link #options()}): {@code rank} (default 8), {@code alpha} (default: the rank, so
 * the scale is 1) and {@code targets}: PEFT module names, matched as PEFT's {@code target_modules}
 * (a module named so, or ending in {@code "." + target}: {@code c_attn}, {@code attn.c_proj} for
 * GPT-2, {@code q_proj}, {@code mlp.down_proj} for Llama), or {@value LoraConfig#ALL_LINEAR}, the
 * default: every linear layer but the output head, as before. Settings saved: {@code {"rank": 8,
 * "alpha": 8.0, "targets": ["all-linear"]}}.
 */
public final class LoraStrategy implements CompositionStrategy {
  /** The name {@code lora}. */
  public static final String NAME = "lora";

  /** Option: the rank r. */
  public static final String RANK = "rank";

  /** Option: alpha (scale = alpha / r). */
  public static final String ALPHA = "alpha";

  /** Option: the modules that get an adapter, comma-separated. */
  public static final String TARGETS = "targets";

  /** The default rank. */
  public static final int DEFAULT_RANK = 8;

  /** The default targets: every linear layer but the output head. */
  public static final List<String> DEFAULT_TARGETS = List.of(LoraConfig.ALL_LINEAR);

  @Override
  public String name() {
    return NAME;
  }

  /** {@code rank}, {@code alpha} and {@code targets}. */
  @Override
  public List<OptionSpec> options() {
    return List.of(
        new OptionSpec(RANK, Integer.class, Integer.toString(DEFAULT_RANK), "the adapters' rank r"),
        new OptionSpec(ALPHA, Float.class, "0", "alpha; the scale is alpha / rank (0: the rank, a scale of 1)"),
        new OptionSpec(TARGETS, String.class, String.join(",", DEFAULT_TARGETS),
            "the modules that get an adapter, comma-separated PEFT target_modules (e.g. c_attn, q_proj, mlp.down_proj), or all-linear"));
  }

  @Override
  public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) {
    OptionValues values = OptionValues.parse("strategy '" + NAME + "'", options(), options);
    if (bases.size() != 1) {
      throw new IllegalArgumentException("strategy lora adapts the anchor alone; it takes no --augment model");
    }
    int rank = values.getInt(RANK);
    float alpha = values.getFloat(ALPHA) == 0 ? rank : values.getFloat(ALPHA);
    if (rank < 1) {
      throw new IllegalArgumentException("lora rank must be >= 1, not " + rank);
    }
    if (!(alpha > 0)) {
      throw new IllegalArgumentException("strategy 'lora', option alpha: must be > 0 (or 0 for the rank), not " + alpha);
    }
    List<String> targets = new ArrayList<>();
    for (String target : values.getString(TARGETS).split(",")) {
      if (!target.isBlank()) {
        targets.add(target.strip());
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("strategy 'lora', option targets: give at least one module name, or " + LoraConfig.ALL_LINEAR);
    }
    ModelDirectory anchor = bases.get(0).directory();
    try {
      Adapters.adapter(anchor, config(rank, alpha, targets), bases.get(0).prefix()); // validates the targets
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "strategy 'lora', option targets: " + e.getMessage() + " " + bases.get(0).path() + " (its linear modules: "
              + String.join(", ", linearModules(anchor)) + "; or " + LoraConfig.ALL_LINEAR + ")", e);
    }
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("rank", rank);
    s.put("alpha", alpha);
    ArrayNode t = s.putArray("targets");
    targets.forEach(t::add);
    return s;
  }

  @Override
  public Composition build(List<BaseModel> bases, JsonNode settings) {
    if (bases.size() != 1) {
      throw new IllegalArgumentException("strategy lora adapts the anchor alone; it takes no augmenting model");
    }
    if (!settings.path("rank").isInt() || !settings.path("alpha").isNumber() || !settings.path("targets").isArray()) {
      throw new IllegalArgumentException("lora settings need an integer rank, a number alpha and an array of targets");
    }
    List<String> targets = new ArrayList<>();
    settings.get("targets").forEach(n -> targets.add(n.asText()));
    return new LoraComposition(bases.get(0), config(settings.get("rank").intValue(), settings.get("alpha").floatValue(), targets));
  }

  /**
   * Trainable parameters per unit of rank of an adapter on {@code anchor} (for matching another
   * method's budget): the sum of {@code in + out} over the adapted weights.
   *
   * @param targets as the {@code targets} option, e.g. {@link #DEFAULT_TARGETS}
   */
  public static long parametersPerRank(ModelDirectory anchor, List<String> targets) {
    return Adapters.adapter(anchor, config(1, 1, targets), "").shapes().values().stream().mapToLong(s -> s.size()).sum();
  }

  private static LoraConfig config(int rank, float alpha, List<String> targets) {
    return new LoraConfig(rank, alpha, targets, 0f, false);
  }

  /** The last two parts of the anchor's linear modules' names ({@code attn.c_attn}, {@code self_attn.q_proj}), for messages. */
  private static TreeSet<String> linearModules(ModelDirectory anchor) {
    TreeSet<String> out = new TreeSet<>();
    var shapes = anchor.model().parameterShapes();
    anchor.checkpoint().checkpointNames().forEach((param, key) -> {
      var shape = shapes.get(param);
      String[] parts = anchor.family().moduleName(key).split("\\.");
      String leaf = parts[parts.length - 1];
      if (shape != null && shape.rank() == 2 && key.endsWith(".weight") && !List.of("lm_head", "embed_tokens", "wte", "wpe").contains(leaf)) {
        out.add(parts.length > 1 ? parts[parts.length - 2] + "." + leaf : leaf);
      }
    });
    return out;
  }
}
