package dev.tandem.api.data;

/**
 * One tokenised training sequence.
 *
 * @param tokens the whole sequence (prompt, completion and end-of-sequence)
 * @param promptLength number of leading tokens that carry no loss; the loss covers {@code
 *     tokens[promptLength..]}
 * @param source where it came from, e.g. {@code train.jsonl:12}, for error messages
 */
public record Example(int[] tokens, int promptLength, String source) {
  public Example {
    if (promptLength < 0 || promptLength > tokens.length) {
      throw new IllegalArgumentException(source + ": prompt length " + promptLength + " outside sequence of " + tokens.length);
    }
  }

  public int completionLength() {
    return tokens.length - promptLength;
  }
}
