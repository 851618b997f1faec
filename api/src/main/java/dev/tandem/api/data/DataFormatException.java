package dev.tandem.api.data;

/**
 * A training record that is malformed or unusable. The message always starts with its source,
 * {@code <file>:<line>: }, then what is wrong, e.g. {@code train.jsonl:12: missing field
 * "completion"}. Unchecked: it reports bad input data, not an I/O failure.
 */
public class DataFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String problem;

  /** A problem with the record at {@code source} ({@code file:line}). */
  public DataFormatException(String source, String problem) {
    this(source, problem, null);
  }

  /** A problem with the record at {@code source} caused by {@code cause}. */
  public DataFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
    this.problem = problem;
  }

  /** Where the record came from, {@code file:line}. */
  public String source() {
    return source;
  }

  /** What is wrong, without the source. */
  public String problem() {
    return problem;
  }
}
