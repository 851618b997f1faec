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

  /**
   * The example {@code prompt} followed by {@code completion}, loss on the completion only: for
   * token ids that are already templated (e.g. a prompt from {@link PromptTemplate#promptTokens}
   * and a generated response with its end-of-sequence token).
   */
  public static Example of(int[] prompt, int[] completion, String source) {
    int[] tokens = java.util.Arrays.copyOf(prompt, prompt.length + completion.length);
    System.arraycopy(completion, 0, tokens, prompt.length, completion.length);
    return new Example(tokens, prompt.length, source);
  }

  /** The prompt tokens, {@code tokens[0..promptLength)} (a copy). */
  public int[] prompt() {
    return java.util.Arrays.copyOf(tokens, promptLength);
  }

  /** The completion tokens, {@code tokens[promptLength..]} (a copy). */
  public int[] completion() {
    return java.util.Arrays.copyOfRange(tokens, promptLength, tokens.length);
  }

  public int completionLength() {
    return tokens.length - promptLength;
  }
}
