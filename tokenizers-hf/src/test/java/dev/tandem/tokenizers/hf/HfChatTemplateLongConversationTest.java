package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.tokenizers.hf.jinja.JsonTestReader;
import dev.tandem.tokenizers.hf.jinja.TemplateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Long conversations render quickly and within the default limits, up to the output limit. */
class HfChatTemplateLongConversationTest {
  private static List<Map<String, Object>> conversation(int turns, int chars) {
    List<Map<String, Object>> messages = new ArrayList<>();
    String text = "w".repeat(chars);
    for (int k = 0; k < turns; k++) {
      messages.add(Map.of("role", "user", "content", "q" + k + text));
      messages.add(Map.of("role", "assistant", "content", "a" + k + text,
          "reasoning_content", "r" + k));
    }
    return messages;
  }

  @Test
  void qwen3RendersALongConversation() {
    HfChatTemplate t = new HfChatTemplate(JsonTestReader.resource("/chat-templates/qwen3.jinja"),
        "qwen3", Map.of("eos_token", "<|im_end|>"));
    String out = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> t.render(conversation(300, 1500), true, Map.of()));
    assertTrue(out.length() > 900_000 && out.endsWith("<|im_start|>assistant\n"), out.length() + "");
    TemplateException e = assertThrows(TemplateException.class,
        () -> t.render(conversation(400, 1500), true, Map.of()));
    assertTrue(e.getMessage().contains("output longer than 1000000"), e.getMessage());
  }
}
