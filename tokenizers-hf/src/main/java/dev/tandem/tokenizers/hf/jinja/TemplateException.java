package dev.tandem.tokenizers.hf.jinja;

/**
 * A chat template failed to parse or render: a syntax error, a call to {@code raise_exception}, an
 * operation Jinja rejects, or a sandbox limit. The message reads {@code <name>:<line>: <what>};
 * syntax errors add the column as {@code (at line:column)}.
 */
public class TemplateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String templateName;
  private final int line;
  private final String detail;

  /**
   * @param templateName the template's name
   * @param line the 1-based line, or 0 when unknown
   * @param detail what went wrong
   */
  public TemplateException(String templateName, int line, String detail) {
    this(templateName, line, detail, null);
  }

  /**
   * @param templateName the template's name
   * @param line the 1-based line, or 0 when unknown
   * @param detail what went wrong
   * @param cause the underlying failure, or null
   */
  public TemplateException(String templateName, int line, String detail, Throwable cause) {
    super(templateName + ":" + line + ": " + detail, cause);
    this.templateName = templateName;
    this.line = line;
    this.detail = detail;
  }

  /** The template's name. */
  public String templateName() {
    return templateName;
  }

  /** The 1-based line the failure was found on, 0 when unknown. */
  public int line() {
    return line;
  }

  /** The failure without the name and line prefix. */
  public String detail() {
    return detail;
  }
}
