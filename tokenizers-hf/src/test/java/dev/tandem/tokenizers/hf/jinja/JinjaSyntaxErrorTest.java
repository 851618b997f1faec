package dev.tandem.tokenizers.hf.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Syntax errors name the template, line and column. */
class JinjaSyntaxErrorTest {
  private static TemplateException parseFails(String source) {
    return assertThrows(TemplateException.class, () -> JinjaTemplate.parse(source, "tpl"));
  }

  @Test
  void unclosedBlockNamesTheEnd() {
    TemplateException e = parseFails("line1\n{% if x %}\nbody\n");
    assertTrue(e.getMessage().startsWith("tpl:3: unexpected end of template"), e.getMessage());
    assertTrue(e.getMessage().contains("endif"), e.getMessage());
    assertTrue(e instanceof IllegalArgumentException);
  }

  @Test
  void unclosedTagsAndStrings() {
    TemplateException e = parseFails("ok\n  {{ x ");
    assertTrue(e.getMessage().startsWith("tpl:2: "), e.getMessage());
    assertTrue(e.getMessage().contains("missing '}}'") && e.getMessage().contains("(at 2:3)"),
        e.getMessage());
    e = parseFails("{{ 'abc }}");
    assertTrue(e.getMessage().contains("unterminated string (at 1:4)"), e.getMessage());
    e = parseFails("{# never closed");
    assertTrue(e.getMessage().contains("missing end of comment tag"), e.getMessage());
    e = parseFails("{% for x in y %}{% endif %}");
    assertTrue(e.getMessage().contains("expected one of"), e.getMessage());
  }

  @Test
  void unknownFilterAndTestAreSyntaxErrors() {
    TemplateException e = parseFails("a\nb {{ x | nosuchfilter }}");
    assertEquals("tpl", e.templateName());
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("No filter named 'nosuchfilter'. (at 2:10)"),
        e.getMessage());
    e = parseFails("{% if x is nosuchtest %}{% endif %}");
    assertTrue(e.getMessage().contains("No test named 'nosuchtest'."), e.getMessage());
  }

  @Test
  void badExpressions() {
    assertTrue(parseFails("{{ 1 + }}").getMessage().contains("unexpected '}}'"));
    assertTrue(parseFails("{{ a b }}").getMessage().contains("expected end of print statement"));
    assertTrue(parseFails("{% set %}").getMessage().contains("expected a name"));
    assertTrue(parseFails("{% frobnicate %}").getMessage().contains("unknown or unsupported"));
    assertTrue(parseFails("{{ a ? b }}").getMessage().contains("unexpected char '?'"));
  }

  @Test
  void runtimeErrorsNameTheLine() {
    JinjaTemplate t = JinjaTemplate.parse("a\nb\n{% if true %}\n{{ raise_exception('boom') }}"
        + "{% endif %}", "rt");
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(java.util.Map.of()));
    assertEquals("rt:4: boom", e.getMessage());
    assertEquals("boom", e.detail());
  }
}
