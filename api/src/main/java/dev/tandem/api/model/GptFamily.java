package dev.tandem.api.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code gpt2} model type: Tandem's own {@link Gpt} ({@code tandem init}) and GPT-2 checkpoints
 * from the Hub, which may carry a {@code transformer.} prefix, the non-parameter buffers {@code
 * attn.bias} and {@code attn.masked_bias}, and a copy of the tied {@code lm_head.weight}; all three
 * are read past.
 */
public final class GptFamily implements ModelFamily {
  private static final String HUB_PREFIX = "transformer.";

  @Override
  public String name() {
    return "gpt2";
  }

  @Override
  public List<String> modelTypes() {
    return List.of("gpt2");
  }

  @Override
  public String describe() {
    return "GPT-2 (learned positions, LayerNorm, tanh GELU, tied head; Conv1D [in, out] weights), Tandem's from-scratch model";
  }

  @Override
  public List<String> configFields() {
    return List.of("vocab_size", "n_layer", "n_head", "n_embd", "n_positions", "layer_norm_epsilon", "n_inner", "activation_function");
  }

  @Override
  public CausalLM fromConfig(ObjectNode config, String prefix) {
    return new Gpt(ModelConfig.fromJson(config), prefix);
  }

  @Override
  public Map<String, String> parameterNames(CausalLM model, Set<String> checkpointKeys) {
    Gpt gpt = (Gpt) model;
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : checkpointKeys) {
      String local = k.startsWith(HUB_PREFIX) ? k.substring(HUB_PREFIX.length()) : k;
      if (local.endsWith(".attn.bias") || local.endsWith(".attn.masked_bias") || k.equals("lm_head.weight")) {
        continue;
      }
      out.put(k, gpt.name(local));
    }
    return out;
  }

  /** transformers' {@code GPT2LMHeadModel} holds the blocks under {@code transformer.}. */
  @Override
  public String moduleName(String checkpointKey) {
    String module = ModelFamily.super.moduleName(checkpointKey);
    return module.startsWith(HUB_PREFIX) ? module : HUB_PREFIX + module;
  }

  @Override
  public boolean fanInFanOut() {
    return true;
  }

  @Override
  public List<String> defaultLoraTargets() {
    return List.of("c_attn");
  }
}
