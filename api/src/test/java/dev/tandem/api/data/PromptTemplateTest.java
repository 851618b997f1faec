package dev.tandem.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.api.tokenizer.ByteTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
  static final int EOS = 256;
  static final int USER = 258;
  static final int ASSISTANT = 259;
  static final int SYSTEM = 260;

  final PromptTemplate template = new PromptTemplate(new ByteTokenizer());

  @Test
  void promptCompletion() {
    Example e = template.completion("Hi", "yo", "f:1");
    assertArrayEquals(new int[] {USER, 'H', 'i', ASSISTANT, 'y', 'o', EOS}, e.tokens());
    assertEquals(4, e.promptLength());
    assertEquals("f:1", e.source());
    assertArrayEquals(new int[] {USER, 'H', 'i', ASSISTANT}, template.promptTokens("Hi"));
  }

  @Test
  void messagesPutTheLossOnTheLastAssistantTurnOnly() {
    List<Message> chat =
        List.of(Message.system("S"), Message.user("a"), Message.assistant("b"), Message.user("c"), Message.assistant("d"));
    Example e = template.messages(chat, "f:2");
    assertArrayEquals(
        new int[] {SYSTEM, 'S', USER, 'a', ASSISTANT, 'b', USER, 'c', ASSISTANT, 'd', EOS}, e.tokens());
    assertEquals(9, e.promptLength());
    assertArrayEquals(
        new int[] {SYSTEM, 'S', USER, 'a', ASSISTANT, 'b', USER, 'c', ASSISTANT},
        template.promptTokens(chat.subList(0, 4)));
    // a single-turn conversation equals the prompt/completion form
    Example single = template.messages(List.of(Message.user("Hi"), Message.assistant("yo")), "f:3");
    assertArrayEquals(template.completion("Hi", "yo", "x").tokens(), single.tokens());
    assertEquals(4, single.promptLength());
  }

  @Test
  void messagesMustEndWithTheAssistant() {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> template.messages(List.of(Message.user("a")), "f:4"));
    assertEquals("f:4: the last message must be the assistant's (it is the completion), not user's", e.getMessage());
    assertThrows(DataFormatException.class, () -> template.messages(List.of(), "f:5"));
  }

  @Test
  void textHasNoPrompt() {
    Example e = template.text("ab", "f:6");
    assertArrayEquals(new int[] {'a', 'b', EOS}, e.tokens());
    assertEquals(0, e.promptLength());
  }

  @Test
  void dispatchesRecords() {
    assertArrayEquals(
        template.completion("p", "c", "s").tokens(),
        template.example(new DataRecord.PromptCompletion("p", "c", "s")).tokens());
    assertArrayEquals(template.text("t", "s").tokens(), template.example(new DataRecord.Text("t", "s")).tokens());
    assertThrows(DataFormatException.class, () -> template.example(new DataRecord.Preference("p", "c", "r", "s")));
  }
}
