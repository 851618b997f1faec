package dev.tandem.calm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.LayeredLM;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code calm}: Composition to Augment Language Models (Bansal et al. 2024). The anchor and one or
 * more augmenting models stay frozen; only the connections' projections and cross-attentions
 * ({@link CalmModel}) train.
 *
 * <p>Options ({@link #options()}): {@code connect_every} {@code K} (default: every 4th layer as in the paper, or the
 * anchor's depth if smaller; see {@link Connection#every}) or {@code connections} {@code a:b,...}
 * (see {@link Connection#parse}), not both; the connection's switches {@code layer_norms},
 * {@code recency} and {@code cross_heads} ({@link CalmModel.Options}; {@code
 * layer_norms=false,recency=false} is the paper's connection). Settings saved: {@code
 * {"connections": [{"augment": 0, "augment_layer": 1, "anchor_layer": 1}, ...], "layer_norms":
 * true, "recency": true, "cross_heads": 0}}; a composition saved before the switches existed has
 * none of the three and loads with {@link CalmModel.Options#DEFAULT}, which is what it was built
 * with.
 */
public final class CalmStrategy implements CompositionStrategy {
  /** The name {@code calm}. */
  public static final String NAME = "calm";

  /** Option: connect every k-th anchor layer. */
  public static final String CONNECT_EVERY = "connect_every";

  /** Option: explicit (augment layer, anchor layer) pairs. */
  public static final String CONNECTIONS = "connections";

  /** Option and setting: LayerNorms before f_proj and the query (ours, not the paper's). */
  public static final String LAYER_NORMS = "layer_norms";

  /** Option and setting: ALiBi's recency bias in the cross-attention (ours, not the paper's). */
  public static final String RECENCY = "recency";

  /** Option and setting: cross-attention heads (0: the anchor's). */
  public static final String CROSS_HEADS = "cross_heads";

  /** Connect every 4th layer unless told otherwise (the paper's choice). */
  public static final int DEFAULT_EVERY = 4;

  @Override
  public String name() {
    return NAME;
  }

  /** {@code connect_every}, {@code connections}, {@code layer_norms}, {@code recency}, {@code cross_heads}. */
  @Override
  public List<OptionSpec> options() {
    return List.of(
        new OptionSpec(CONNECT_EVERY, Integer.class, Integer.toString(DEFAULT_EVERY),
            "connect every K-th anchor layer to the augmenting models (the anchor's depth if smaller)"),
        new OptionSpec(CONNECTIONS, String.class, "",
            "explicit AUG_LAYER:ANCHOR_LAYER pairs instead of connect_every, e.g. 1:1,3:3 (0-based blocks)"),
        new OptionSpec(LAYER_NORMS, Boolean.class, "true",
            "LayerNorms on the augmenting state before f_proj and on the anchor state before the query (not in the paper)"),
        new OptionSpec(RECENCY, Boolean.class, "true",
            "ALiBi's recency bias with trainable slopes in the cross-attention (not in the paper)"),
        new OptionSpec(CROSS_HEADS, Integer.class, "0",
            "cross-attention heads; 0: the anchor's number (the paper)"));
  }

  @Override
  public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) {
    OptionValues values = OptionValues.parse("strategy '" + NAME + "'", options(), options);
    if (bases.size() < 2) {
      throw new IllegalArgumentException("strategy calm needs an anchor and at least one augmenting model (--augment DIR)");
    }
    if (options.containsKey(CONNECT_EVERY) && options.containsKey(CONNECTIONS)) {
      throw new IllegalArgumentException("give connect-every or connections, not both");
    }
    int augments = bases.size() - 1;
    List<Connection> conns;
    if (options.containsKey(CONNECTIONS)) {
      conns = Connection.parse(options.get(CONNECTIONS), augments);
    } else {
      int k = options.containsKey(CONNECT_EVERY)
          ? values.getInt(CONNECT_EVERY)
          : Math.min(DEFAULT_EVERY, bases.get(0).config().nLayer());
      int[] depths = new int[augments];
      for (int i = 0; i < augments; i++) {
        depths[i] = bases.get(i + 1).config().nLayer();
      }
      conns = Connection.every(k, bases.get(0).config().nLayer(), depths);
    }
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = s.putArray("connections");
    for (Connection c : conns) {
      arr.addObject().put("augment", c.augment()).put("augment_layer", c.augmentLayer()).put("anchor_layer", c.anchorLayer());
    }
    s.put(LAYER_NORMS, values.getBoolean(LAYER_NORMS));
    s.put(RECENCY, values.getBoolean(RECENCY));
    s.put(CROSS_HEADS, values.getInt(CROSS_HEADS));
    build(bases, s); // validates layers against the bases
    return s;
  }

  /** The connection's switches from saved settings; absent ones (older compositions) take {@link CalmModel.Options#DEFAULT}'s. */
  static CalmModel.Options switches(JsonNode settings) {
    CalmModel.Options d = CalmModel.Options.DEFAULT;
    for (String key : List.of(LAYER_NORMS, RECENCY)) {
      if (settings.has(key) && !settings.get(key).isBoolean()) {
        throw new IllegalArgumentException("calm setting \"" + key + "\" must be true or false: " + settings.get(key));
      }
    }
    if (settings.has(CROSS_HEADS) && !settings.get(CROSS_HEADS).isInt()) {
      throw new IllegalArgumentException("calm setting \"" + CROSS_HEADS + "\" must be an integer: " + settings.get(CROSS_HEADS));
    }
    return new CalmModel.Options(
        settings.path(LAYER_NORMS).asBoolean(d.layerNorms()), settings.path(RECENCY).asBoolean(d.recency()), settings.path(CROSS_HEADS).asInt(d.heads()));
  }

  /** A base model with layer-level access, or a clear error naming its family. */
  private static LayeredLM layered(BaseModel b) {
    CausalLM m = b.model();
    if (!(m instanceof LayeredLM l)) {
      throw new IllegalArgumentException(
          "CALM reads hidden states between layers, which the " + b.directory().family().name() + " family of the "
              + b.label() + " " + b.path() + " does not offer (it is not a LayeredLM)");
    }
    return l;
  }

  @Override
  public Composition build(List<BaseModel> bases, JsonNode settings) {
    if (bases.size() < 2) {
      throw new IllegalArgumentException("strategy calm needs an anchor and at least one augmenting model");
    }
    JsonNode arr = settings.get("connections");
    if (arr == null || !arr.isArray() || arr.isEmpty()) {
      throw new IllegalArgumentException("calm settings need a non-empty \"connections\" array");
    }
    List<Connection> conns = new ArrayList<>();
    for (JsonNode c : arr) {
      if (!c.path("augment").isInt() || !c.path("augment_layer").isInt() || !c.path("anchor_layer").isInt()) {
        throw new IllegalArgumentException("a calm connection needs integer augment, augment_layer and anchor_layer: " + c);
      }
      conns.add(new Connection(c.get("augment").intValue(), c.get("augment_layer").intValue(), c.get("anchor_layer").intValue()));
    }
    List<LayeredLM> augs = new ArrayList<>();
    for (BaseModel b : bases.subList(1, bases.size())) {
      augs.add(layered(b));
    }
    CalmModel model = new CalmModel(layered(bases.get(0)), augs, conns, switches(settings));
    return new Composition() {
      @Override
      public CausalLM model() {
        return model;
      }

      @Override
      public Map<String, HostTensor> initialParameters(long seed) {
        return model.connectionWeights(seed);
      }
    };
  }
}
