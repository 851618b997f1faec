package dev.tandem.api.adapter;

import java.util.List;

/**
 * A LoRA adapter's hyper-parameters, as PEFT's {@code LoraConfig} names them: each adapted weight
 * {@code W} becomes {@code W + scale * B A} with {@code A [r, in]}, {@code B [out, r]} (B starts at
 * zero, so training starts from the base model exactly).
 *
 * @param rank {@code r}
 * @param alpha {@code lora_alpha}; the scale is {@code alpha / r} ({@code alpha / sqrt(r)} with
 *     rsLoRA)
 * @param targets {@code target_modules}: module names matched as PEFT does (a module whose name is
 *     a target or ends with {@code "." + target}), or the single entry {@value #ALL_LINEAR}; empty
 *     means the family's default ({@code q_proj, v_proj} for Llama, {@code c_attn} for GPT-2)
 * @param dropout {@code lora_dropout}, recorded; training applies none (Tandem folds the adapter
 *     into the weight, where dropout on the adapter's input cannot act), so training refuses a
 *     non-zero value and loading accepts any
 * @param rslora {@code use_rslora}
 */
public record LoraConfig(int rank, float alpha, List<String> targets, float dropout, boolean rslora) {
  /** PEFT's shorthand for every linear layer but the output head. */
  public static final String ALL_LINEAR = "all-linear";

  public LoraConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, not " + rank);
    }
    if (!(alpha > 0)) {
      throw new IllegalArgumentException("lora_alpha must be > 0, not " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("lora_dropout must be in [0, 1), not " + dropout);
    }
    targets = List.copyOf(targets);
  }

  /** Rank {@code r}, alpha {@code 2r} (a common choice), the family's default targets, no dropout. */
  public static LoraConfig of(int rank) {
    return new LoraConfig(rank, 2f * rank, List.of(), 0f, false);
  }

  /** The factor on {@code B A}. */
  public float scale() {
    return rslora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
  }

  /** The same with {@code targets} resolved (written to {@code adapter_config.json}). */
  public LoraConfig withTargets(List<String> resolved) {
    return new LoraConfig(rank, alpha, resolved, dropout, rslora);
  }
}
