package dev.tandem.tokenizers.hf.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Renders every entry of {@code chat-templates/golden.json} (written by the real Jinja2 in
 * transformers' environment, see {@code src/test/python/render_golden.py}) and compares exactly.
 */
class JinjaGoldenTest {
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> golden() {
    return (List<Map<String, Object>>) JsonTestReader.parse(
        JsonTestReader.resource("/chat-templates/golden.json"));
  }

  static String source(Map<String, Object> entry) {
    Object inline = entry.get("source");
    return inline != null ? (String) inline
        : JsonTestReader.resource("/chat-templates/" + entry.get("template") + ".jinja");
  }

  @SuppressWarnings("unchecked")
  @TestFactory
  Stream<DynamicTest> rendersLikeJinja2() {
    return golden().stream().map(e -> DynamicTest.dynamicTest(
        e.get("template") + " " + e.get("case"), () -> {
          String name = (String) e.get("template");
          JinjaTemplate t = JinjaTemplate.parse(source(e), name);
          Map<String, Object> vars = (Map<String, Object>) e.get("variables");
          if (e.get("error") == null) {
            assertEquals(e.get("expected"), t.render(vars, Limits.defaults(), GoldenClock.CLOCK));
          } else {
            TemplateException ex = assertThrows(TemplateException.class, () -> t.render(vars, Limits.defaults(), GoldenClock.CLOCK));
            assertTrue(ex.getMessage().startsWith(name + ":"), ex.getMessage());
            assertTrue(ex.getMessage().contains((String) e.get("error")),
                "expected '" + e.get("error") + "' in: " + ex.getMessage());
          }
        }));
  }

  @Test
  void coversTheRealTemplates() {
    List<String> names = new ArrayList<>();
    golden().forEach(e -> names.add((String) e.get("template")));
    for (String t : List.of("qwen3", "chatml", "llama-3.2-tools", "mistral-instruct", "zephyr",
        "llama-2-chat", "gemma-it", "llama-3-instruct", "qwen2.5-instruct", "features")) {
      assertTrue(names.contains(t), t);
    }
    assertTrue(golden().size() > 100);
  }
}
