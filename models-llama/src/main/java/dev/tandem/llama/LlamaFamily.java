package dev.tandem.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code llama}, {@code mistral}, {@code qwen2} and {@code qwen3} model types ({@link
 * LlamaModel}), found through {@link java.util.ServiceLoader}.
 */
public final class LlamaFamily implements ModelFamily {
  @Override
  public String name() {
    return "llama";
  }

  @Override
  public List<String> modelTypes() {
    return LlamaConfig.MODEL_TYPES;
  }

  @Override
  public String describe() {
    return "Llama 2/3.x (rope_scaling llama3, linear), TinyLlama, SmolLM/SmolLM2, Mistral within its sliding window,"
        + " Qwen2/2.5 (q/k/v biases), Qwen3 (q/k norms, head_dim); RMSNorm, rotate-half RoPE, SwiGLU, GQA";
  }

  @Override
  public List<String> configFields() {
    return LlamaConfig.FIELDS;
  }

  @Override
  public CausalLM fromConfig(ObjectNode config, String prefix) {
    return new LlamaModel(LlamaConfig.parse(config), prefix);
  }

  /**
   * Every key maps to itself, except {@code lm_head.weight} of a tied model (some tied checkpoints
   * carry a copy) and rotary {@code inv_freq} buffers of older checkpoints, which are skipped.
   */
  @Override
  public Map<String, String> parameterNames(CausalLM model, Set<String> checkpointKeys) {
    LlamaModel m = (LlamaModel) model;
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : checkpointKeys) {
      if (k.endsWith(".rotary_emb.inv_freq")) {
        continue;
      }
      if (k.equals("lm_head.weight") && m.llamaConfig().tieEmbeddings()) {
        continue;
      }
      out.put(k, m.name(k));
    }
    return out;
  }
}
