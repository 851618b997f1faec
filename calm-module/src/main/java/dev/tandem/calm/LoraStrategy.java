package dev.tandem.calm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code lora}: a low-rank adapter on every projection of the anchor ({@link LoraModel}), the
 * baseline CALM is compared against. It takes no augmenting model, trains the adapters alone, and
 * {@link Composition#merge merges} into a plain model directory.
 *
 * <p>Options ({@link #options()}): {@code rank} (default 8), {@code alpha} (default: the rank, so
 * the scale is 1) and {@code targets} (default: every projection).
 * Settings saved: {@code {"rank": 8, "alpha": 8.0, "targets": [...]}}.
 */
public final class LoraStrategy implements CompositionStrategy {
  /** The name {@code lora}. */
  public static final String NAME = "lora";

  /** Option: the rank r. */
  public static final String RANK = "rank";

  /** Option: alpha (scale = alpha / r). */
  public static final String ALPHA = "alpha";

  /** The default rank. */
  public static final int DEFAULT_RANK = 8;

  @Override
  public String name() {
    return NAME;
  }

  /** Option: the projections of each block that get an adapter, comma-separated. */
  public static final String TARGETS = "targets";

  /** {@code rank}, {@code alpha} and {@code targets}. */
  @Override
  public List<OptionSpec> options() {
    return List.of(
        new OptionSpec(RANK, Integer.class, Integer.toString(DEFAULT_RANK), "the adapters' rank r"),
        new OptionSpec(ALPHA, Float.class, "0", "alpha; the scale is alpha / rank (0: the rank, a scale of 1)"),
        new OptionSpec(TARGETS, String.class, String.join(",", LoraModel.DEFAULT_TARGETS),
            "the projections of each block that get an adapter, comma-separated"));
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
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("rank", rank);
    s.put("alpha", alpha);
    ArrayNode t = s.putArray("targets");
    List<String> targets = new ArrayList<>();
    for (String target : values.getString(TARGETS).split(",")) {
      if (!target.isBlank()) {
        targets.add(target.strip());
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("strategy 'lora', option targets: give at least one of " + LoraModel.DEFAULT_TARGETS);
    }
    new LoraModel(bases.get(0).config(), rank, alpha, targets); // validates the targets
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
    BaseModel anchor = bases.get(0);
    if (!anchor.directory().family().name().equals("gpt2")) {
      throw new IllegalArgumentException(
          "strategy lora adapts GPT-2 projections; the " + anchor.directory().family().name() + " family of "
              + anchor.path() + " is not supported by it yet (use calm, or train it whole)");
    }
    LoraModel model = new LoraModel(anchor.config(), settings.get("rank").intValue(), settings.get("alpha").floatValue(), targets);
    Map<String, Shape> shapes = new HashMap<>();
    anchor.directory().weights().forEach((k, v) -> shapes.put(anchor.prefix() + k, v.shape()));
    return new Composition() {
      @Override
      public CausalLM model() {
        return model;
      }

      @Override
      public Map<String, HostTensor> initialParameters(long seed) {
        return model.adapterWeights(seed, shapes);
      }

      @Override
      public boolean mergeable() {
        return true;
      }

      @Override
      public Optional<Map<String, HostTensor>> merge(Map<String, HostTensor> parameters) {
        return Optional.of(model.merge(anchor.directory().weights(), parameters));
      }
    };
  }
}
