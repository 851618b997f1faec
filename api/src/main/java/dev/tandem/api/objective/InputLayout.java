package dev.tandem.api.objective;

/**
 * The batch tensors an {@link Objective} receives, by position; the layout also decides which
 * command trains the objective and on which data. Padding in a batch is always marked by a zero
 * loss mask, so objectives must weigh every token or pair by the mask.
 */
public enum InputLayout {
  /**
   * Causal-LM batches, as in {@link dev.tandem.api.data.Batch}: {@code [0]} input ids {@code [B, T]}
   * INT32, {@code [1]} targets {@code [B, T]} INT32 (the next token at each position), {@code [2]} loss
   * mask {@code [B, T]} FLOAT32: 1 where the target is a completion token, 0 on the prompt and
   * padding. Trained by {@code tandem sft} on prompt/completion, messages or text JSONL.
   */
  SEQUENCES,

  /**
   * Preference pairs: as {@link #SEQUENCES} for the chosen (real) response in rows {@code 0..B-1}
   * and the rejected (generated) one in rows {@code B..2B-1}, then {@code [3]} the reference
   * model's summed log-probs of those {@code 2B} rows, {@code [2B]} FLOAT32 (zeros when the
   * objective does not {@link Objective#needsReference() need the reference}). A pair whose chosen
   * row has an all-zero loss mask is padding (it fills a short last batch) and must be ignored.
   * Built by {@link dev.tandem.api.data.PreferenceBatcher}; trained by {@code tandem dpo} on
   * prompt/chosen/rejected JSONL, whose starting model is the reference. {@link PreferenceBatch}
   * reads such a batch; {@link PreferenceObjective} does all of this for a loss of the margin.
   */
  PREFERENCE_PAIRS
}
