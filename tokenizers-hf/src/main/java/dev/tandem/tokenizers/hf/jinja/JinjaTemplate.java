package dev.tandem.tokenizers.hf.jinja;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Jinja2 template parsed once and rendered many times, with the semantics of the environment
 * transformers renders chat templates in: {@code ImmutableSandboxedEnvironment(trim_blocks=True,
 * lstrip_blocks=True)} with the {@code loopcontrols} extension, {@code {% generation %}}, the
 * {@code tojson} filter of {@code json.dumps(ensure_ascii=False)}, and the globals {@code
 * raise_exception} and {@code strftime_now}.
 *
 * <p>Rendering is sandboxed: templates see only the values passed in (strings, booleans, numbers,
 * lists, string-keyed maps, null) and a fixed set of filters, tests and string, dict and list
 * methods; no Java method is ever reached by reflection. Output size, loop iterations and macro
 * depth are bounded by {@link Limits}. Instances are immutable and thread-safe.
 */
public final class JinjaTemplate {
  private final String name;
  private final List<Node> body;

  private JinjaTemplate(String name, List<Node> body) {
    this.name = name;
    this.body = body;
  }

  /**
   * Parses a template.
   *
   * @param source the template text (at most 1 MiB of characters)
   * @param name the name errors report the template by
   * @throws TemplateException on a syntax error, naming {@code name}, the line and the column
   */
  public static JinjaTemplate parse(String source, String name) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    try {
      return new JinjaTemplate(name, Parser.parse(source, name));
    } catch (StackOverflowError e) {
      throw new TemplateException(name, 0, "template nested too deeply");
    }
  }

  /** The name given to {@link #parse}. */
  public String name() {
    return name;
  }

  /**
   * Renders with {@link Limits#defaults()}.
   *
   * @param variables the template's variables: String, Boolean, Integer/Long/Double, List,
   *     Map&lt;String, ?&gt; or null values, nested freely
   * @throws TemplateException if the template raises, fails or exceeds a limit
   */
  public String render(Map<String, Object> variables) {
    return render(variables, Limits.defaults());
  }

  /**
   * Renders.
   *
   * @param variables the template's variables (see {@link #render(Map)})
   * @param limits bounds on this render
   * @throws TemplateException if the template raises, fails or exceeds a limit
   */
  public String render(Map<String, Object> variables, Limits limits) {
    return render(variables, limits, Clock.systemDefaultZone());
  }

  /**
   * Renders with a given clock, so that a template calling {@code strftime_now} renders the same
   * text on every day (tests, reproducible prompts).
   *
   * @param variables the template's variables (see {@link #render(Map)})
   * @param limits bounds on this render
   * @param clock the clock {@code strftime_now} reads, in its zone
   * @throws TemplateException if the template raises, fails or exceeds a limit
   */
  public String render(Map<String, Object> variables, Limits limits, Clock clock) {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(clock, "clock");
    Scope globals = new Scope(null);
    if (variables != null) {
      variables.forEach(globals::set);
    }
    return new Interpreter(name, limits, clock).render(body, new Scope(globals));
  }
}
