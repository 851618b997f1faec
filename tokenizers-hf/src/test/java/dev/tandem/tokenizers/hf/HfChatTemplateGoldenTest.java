package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tokenizer.ChatTemplate;
import dev.tandem.tokenizers.hf.jinja.GoldenClock;
import dev.tandem.tokenizers.hf.jinja.JsonTestReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@link HfChatTemplate} reproduces transformers' apply_chat_template for the golden cases. */
class HfChatTemplateGoldenTest {
  @SuppressWarnings("unchecked")
  @TestFactory
  Stream<DynamicTest> rendersLikeTransformers() {
    List<Map<String, Object>> golden = (List<Map<String, Object>>) JsonTestReader.parse(
        JsonTestReader.resource("/chat-templates/golden.json"));
    return golden.stream().filter(e -> !"features".equals(e.get("template")))
        .map(e -> DynamicTest.dynamicTest(e.get("template") + " " + e.get("case"), () -> {
          String name = (String) e.get("template");
          Map<String, Object> vars = (Map<String, Object>) e.get("variables");
          Map<String, Object> special = new LinkedHashMap<>();
          Map<String, Object> extra = new LinkedHashMap<>();
          vars.forEach((k, v) -> {
            if (k.endsWith("_token")) {
              special.put(k, v);
            } else if (!k.equals("messages") && !k.equals("add_generation_prompt")
                && !(v == null && (k.equals("tools") || k.equals("documents")))) {
              extra.put(k, v);
            }
          });
          ChatTemplate t = new HfChatTemplate(JsonTestReader.resource(
              "/chat-templates/" + name + ".jinja"), name, special, GoldenClock.CLOCK);
          List<Map<String, Object>> messages = (List<Map<String, Object>>) vars.get("messages");
          boolean agp = (Boolean) vars.get("add_generation_prompt");
          if (e.get("error") == null) {
            assertEquals(e.get("expected"), t.render(messages, agp, extra));
          } else {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> t.render(messages, agp, extra));
            assertTrue(ex.getMessage().contains((String) e.get("error")), ex.getMessage());
          }
        }));
  }

  @Test
  void unsetSpecialTokensAreUndefined() {
    Map<String, Object> specials = new java.util.HashMap<>();
    specials.put("bos_token", null);
    specials.put("eos_token", "</s>");
    ChatTemplate t = new HfChatTemplate("{{ bos_token is defined }}{{ eos_token }}", "t", specials);
    assertEquals("False</s>", t.render(List.of(), false, Map.of()));
  }

  @Test
  void toolsAbsentMeansNone() {
    ChatTemplate t = new HfChatTemplate("{{ tools is none }} {{ documents is defined }} {{ bos_token }}"
        + "{{ messages|length }}{{ add_generation_prompt }}", "t", Map.of("bos_token", "<s>"));
    assertEquals("True True <s>1False",
        t.render(List.of(Map.of("role", "user", "content", "x")), false, Map.of()));
  }
}
