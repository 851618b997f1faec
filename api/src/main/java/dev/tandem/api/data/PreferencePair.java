package dev.tandem.api.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A preference pair for DPO-style objectives: one prompt with a chosen completion (in SPIN the real,
 * human one) and a rejected completion (in SPIN the opponent's generation), as two {@link Example}s
 * with the same prompt, and the reference model's summed completion log-probs of each once they are
 * known (NaN until then; see {@code dev.tandem.api.train.ReferenceLogProbs}).
 *
 * @param chosen the preferred sequence
 * @param rejected the other sequence, with exactly the same prompt tokens
 * @param refChosen the reference model's summed log-prob of the chosen completion, or NaN
 * @param refRejected the reference model's summed log-prob of the rejected completion, or NaN
 */
public record PreferencePair(Example chosen, Example rejected, float refChosen, float refRejected) {
  /**
   * @throws DataFormatException naming the chosen example's source if the prompts differ or a
   *     completion is empty
   */
  public PreferencePair {
    int p = chosen.promptLength();
    if (p != rejected.promptLength()
        || !Arrays.equals(chosen.tokens(), 0, p, rejected.tokens(), 0, p)) {
      throw new DataFormatException(chosen.source(), "the chosen and rejected sequences have different prompts");
    }
    if (chosen.completionLength() == 0 || rejected.completionLength() == 0) {
      throw new DataFormatException(chosen.source(), "a preference pair needs a non-empty chosen and rejected completion");
    }
  }

  /** A pair whose reference log-probs are not computed yet. */
  public static PreferencePair of(Example chosen, Example rejected) {
    return new PreferencePair(chosen, rejected, Float.NaN, Float.NaN);
  }

  /**
   * The pair of a {@code {"prompt", "chosen", "rejected"}} record under {@code template} (each
   * response followed by the end-of-sequence token).
   */
  public static PreferencePair of(DataRecord.Preference record, PromptTemplate template) {
    return of(
        template.completion(record.prompt(), record.chosen(), record.source()),
        template.completion(record.prompt(), record.rejected(), record.source()));
  }

  /**
   * The pairs of {@code records}, which must all be preference pairs. A pair fits when both
   * sequences' inputs fit the context ({@code tokens.length - 1 <= context}); one that does not is
   * passed to {@code skips}, which either throws naming its source or counts it.
   *
   * @throws DataFormatException naming the line of a record that is not a preference pair, or of a
   *     strict skip
   */
  public static List<PreferencePair> fromRecords(
      List<? extends DataRecord> records, PromptTemplate template, int context, SkipReport skips) {
    String reason = "longer than the context of " + context + " tokens";
    List<PreferencePair> out = new ArrayList<>(records.size());
    for (DataRecord r : records) {
      if (!(r instanceof DataRecord.Preference pref)) {
        throw new DataFormatException(
            r.source(), "expected a preference pair {\"prompt\", \"chosen\", \"rejected\"}, found another form");
      }
      PreferencePair pair = of(pref, template);
      int inputs = pair.longestInputs();
      if (inputs > context) {
        skips.skip(pair.source(), reason, inputs + " input tokens");
      } else {
        out.add(pair);
      }
    }
    return out;
  }

  /** Where it came from (the chosen example's source, e.g. {@code pairs.jsonl:3}). */
  public String source() {
    return chosen.source();
  }

  /** Whether both reference log-probs are known. */
  public boolean hasReference() {
    return !Float.isNaN(refChosen) && !Float.isNaN(refRejected);
  }

  /** This pair with the reference model's summed completion log-probs. */
  public PreferencePair withReference(float chosenLogProb, float rejectedLogProb) {
    return new PreferencePair(chosen, rejected, chosenLogProb, rejectedLogProb);
  }

  /** The input positions of the longer sequence ({@code tokens.length - 1}). */
  public int longestInputs() {
    return Math.max(chosen.tokens().length, rejected.tokens().length) - 1;
  }
}
