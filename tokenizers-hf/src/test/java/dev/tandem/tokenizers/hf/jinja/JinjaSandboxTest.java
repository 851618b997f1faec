package dev.tandem.tokenizers.hf.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hostile templates: no reflection, and every runaway stops at a limit with a clear message. */
class JinjaSandboxTest {
  private static final Map<String, Object> VARS =
      Map.of("messages", List.of(Map.of("role", "user", "content", "hi")), "s", "x");

  private static String render(String source) {
    return JinjaTemplate.parse(source, "hostile").render(VARS);
  }

  private static TemplateException fails(String source, Limits limits) {
    return assertThrows(TemplateException.class, () -> assertTimeoutPreemptively(
        Duration.ofSeconds(20), () -> JinjaTemplate.parse(source, "hostile").render(VARS, limits)));
  }

  private static TemplateException fails(String source) {
    return fails(source, Limits.defaults());
  }

  @Test
  void reflectionStyleAccessIsUndefined() {
    assertEquals("", render("{{ ''.__class__ }}"));
    assertEquals("", render("{{ s.getClass }}{{ s.class }}{{ messages.getClass }}"));
    assertEquals("", render("{{ messages[0].__dict__ }}{{ messages.__len__ }}{{ raise_exception.__globals__ }}"));
    assertEquals("", render("{{ messages.append }}{{ messages[0].update }}{{ messages[0].pop }}"));
    TemplateException e = fails("{{ messages.__class__.__mro__ }}");
    assertTrue(e.getMessage().contains("unsafe"), e.getMessage());
    e = fails("{{ messages.append('x') }}");
    assertTrue(e.getMessage().startsWith("hostile:1: "), e.getMessage());
    e = fails("{{ s.getClass() }}");
    assertTrue(e.getMessage().contains("has no attribute 'getClass'"), e.getMessage());
  }

  @Test
  void hugeRangeIsRefused() {
    TemplateException e = fails("{% for i in range(10**9) %}{{ i }}{% endfor %}");
    assertTrue(e.getMessage().contains("sandbox limit exceeded"), e.getMessage());
    assertTrue(e.getMessage().contains("Range too big"), e.getMessage());
  }

  @Test
  void nestedLoopsStopAtTheIterationLimit() {
    TemplateException e = fails("{% for i in range(100000) %}{% for j in range(100000) %}"
        + "{% endfor %}{% endfor %}");
    assertTrue(e.getMessage().contains("more than 1000000 loop iterations"), e.getMessage());
    e = fails("{% for i in range(50) %}{% for j in range(50) %}{% endfor %}{% endfor %}",
        new Limits(1000, 100, 8));
    assertTrue(e.getMessage().contains("more than 100 loop iterations"), e.getMessage());
  }

  @Test
  void stringRepetitionAndDoublingStopAtTheOutputLimit() {
    TemplateException e = fails("{{ 'x' * 10**12 }}");
    assertTrue(e.getMessage().contains("output limit"), e.getMessage());
    e = fails("{% set ns = namespace(s='ab') %}{% for i in range(100) %}"
        + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}");
    assertTrue(e.getMessage().contains("sandbox limit exceeded"), e.getMessage());
    e = fails("{% for i in range(100000) %}{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}");
    assertTrue(e.getMessage().contains("output longer than 1000000 characters"), e.getMessage());
    e = fails("{% for i in range(1000) %}{{ 'x' * 5000 }}{% endfor %}");
    assertTrue(e.getMessage().contains("sandbox limit exceeded"), e.getMessage());
    e = fails("{{ [1, 2] * 10**9 }}");
    assertTrue(e.getMessage().contains("sandbox limit exceeded"), e.getMessage());
  }

  @Test
  void recursionStopsAtTheCallDepth() {
    TemplateException e = fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    assertTrue(e.getMessage().contains("macro calls nested deeper than 64"), e.getMessage());
    e = fails("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(0) }}",
        new Limits(1_000_000, 1_000_000, 10));
    assertTrue(e.getMessage().contains("deeper than 10"), e.getMessage());
  }

  @Test
  void exponentialMacroFanOutIsBounded() {
    String t = "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% else %}xxxxxxxx"
        + "{% endif %}{% endmacro %}{{ f(40) }}";
    TemplateException e = fails(t);
    assertTrue(e.getMessage().contains("sandbox limit exceeded"), e.getMessage());
  }

  @Test
  void parseLimits() {
    String big = "x".repeat(Parser.MAX_SOURCE_CHARS + 1);
    TemplateException e = assertThrows(TemplateException.class,
        () -> JinjaTemplate.parse(big, "big"));
    assertTrue(e.getMessage().contains("template too large"), e.getMessage());
    String deep = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
    e = assertThrows(TemplateException.class, () -> JinjaTemplate.parse(deep, "deep"));
    assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
    String blocks = "{% if true %}".repeat(1000) + "{% endif %}".repeat(1000);
    e = assertThrows(TemplateException.class, () -> JinjaTemplate.parse(blocks, "blocks"));
    assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
  }

  @Test
  void rejectsUnsupportedTagsThatCouldReachFiles() {
    for (String t : List.of("{% include 'x' %}", "{% extends 'x' %}", "{% import 'x' as y %}")) {
      TemplateException e = assertThrows(TemplateException.class,
          () -> JinjaTemplate.parse(t, "inc"));
      assertTrue(e.getMessage().contains("unsupported tag"), e.getMessage());
    }
  }
}
