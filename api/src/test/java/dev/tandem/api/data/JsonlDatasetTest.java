package dev.tandem.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlDatasetTest {
  @TempDir Path dir;

  Path jsonl(String content) throws IOException {
    return Files.writeString(dir.resolve("d.jsonl"), content);
  }

  /** Reading a file whose line 2 is {@code bad} fails with exactly {@code <file>:2: expected}. */
  void assertRejected(String bad, String expected) throws IOException {
    Path f = jsonl("{\"text\": \"fine\"}\n" + bad + "\n{\"text\": \"fine\"}\n");
    DataFormatException e = assertThrows(DataFormatException.class, () -> JsonlDataset.read(f));
    assertTrue(e.getMessage().startsWith(f + ":2: " + expected), e.getMessage());
    assertEquals(f + ":2", e.source());
  }

  @Test
  void readsEveryFormWithItsSource() throws IOException {
    Path f =
        jsonl(
            "{\"prompt\": \"Define cat.\", \"completion\": \"a feline\", \"id\": 7}\n"
                + "\n"
                + "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}\r\n"
                + "   \n"
                + "{\"text\": \"plain text\"}\n"
                + "{\"prompt\": \"Q\", \"chosen\": \"good\", \"rejected\": \"bad\"}");
    List<DataRecord> records = JsonlDataset.read(f);
    assertEquals(
        List.of(
            new DataRecord.PromptCompletion("Define cat.", "a feline", f + ":1"),
            new DataRecord.Messages(
                List.of(Message.system("Be brief."), Message.user("Hi"), Message.assistant("Hello")), f + ":3"),
            new DataRecord.Text("plain text", f + ":5"),
            new DataRecord.Preference("Q", "good", "bad", f + ":6")),
        records);
    assertEquals(records.subList(0, 2), JsonlDataset.read(f, 2));
    assertEquals(List.of(), JsonlDataset.read(f, 0));
  }

  @Test
  void keepsUnicodeAndAllowsAnEmptyPrompt() throws IOException {
    Path f = jsonl("\ufeff{\"prompt\": \"\", \"completion\": \"caf\u00e9 \\u65e5 \ud83d\ude00\"}\n");
    assertEquals(
        List.of(new DataRecord.PromptCompletion("", "caf\u00e9 \u65e5 \ud83d\ude00", f + ":1")), JsonlDataset.read(f));
  }

  @Test
  void reportsWhatIsWrongWithFileAndLine() throws IOException {
    assertRejected("{\"prompt\": \"x\"", "not valid JSON");
    assertRejected("{\"text\": \"a\"} trailing", "not valid JSON");
    assertRejected("[1, 2]", "not a JSON object");
    assertRejected("\"just a string\"", "not a JSON object");
    assertRejected("{\"prompt\": \"x\"}", "missing field \"completion\"");
    assertRejected("{\"completion\": \"x\"}", "missing field \"prompt\"");
    assertRejected("{\"prompt\": 3, \"completion\": \"x\"}", "field \"prompt\" must be a string, not a number");
    assertRejected(
        "{\"prompt\": [{\"role\": \"user\", \"content\": \"x\"}], \"completion\": \"y\"}",
        "field \"prompt\" must be a string, not an array");
    assertRejected("{\"prompt\": \"x\", \"completion\": \"\"}", "empty completion");
    assertRejected("{\"text\": \"\"}", "empty text");
    assertRejected("{\"text\": null}", "field \"text\" must be a string, not null");
    assertRejected(
        "{\"question\": \"x\", \"answer\": \"y\"}",
        "unknown form, expected one of prompt/completion, messages, text, prompt/chosen/rejected (fields: question, answer)");
    assertRejected("{\"text\": \"a\", \"prompt\": \"b\", \"completion\": \"c\"}", "mixes the forms prompt/completion and text");
    assertRejected("{\"prompt\": \"x\", \"chosen\": \"y\"}", "missing field \"rejected\"");
    assertRejected("{\"prompt\": \"x\", \"chosen\": \"y\", \"rejected\": \"\"}", "empty rejected");
    assertRejected("{\"messages\": []}", "field \"messages\" must be a non-empty array");
    assertRejected("{\"messages\": [\"hi\"]}", "messages[0] must be an object");
    assertRejected("{\"messages\": [{\"content\": \"hi\"}]}", "messages[0]: missing field \"role\"");
    assertRejected(
        "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"tool\", \"content\": \"b\"}]}",
        "messages[1]: field \"role\" must be one of system, user, assistant, not \"tool\"");
    assertRejected("{\"text\": \"a\", \"text\": \"b\"}", "not valid JSON");
  }

  @Test
  void reportsInvalidUtf8OnTheRightLine() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    byte[] good = "{\"text\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = "{\"text\": \"b\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
    bad[11] = (byte) 0xff;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 500; i++) {
      out.writeBytes(good);
    }
    out.writeBytes(bad);
    Files.write(f, out.toByteArray());
    DataFormatException e = assertThrows(DataFormatException.class, () -> JsonlDataset.read(f));
    assertTrue(e.getMessage().startsWith(f + ":501: not valid JSON"), e.getMessage());
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void toExamplesReportsOverlongExamplesInsteadOfDroppingThem() {
    PromptTemplate template = new PromptTemplate(new dev.tandem.api.tokenizer.ByteTokenizer());
    List<DataRecord> records =
        List.of(
            new DataRecord.Text("1234567", "d:1"), // 8 tokens, 7 inputs
            new DataRecord.Text("12345678", "d:2"), // 9 tokens, 8 inputs
            new DataRecord.Text("123456789", "d:3")); // 10 tokens, 9 inputs
    SkipReport skips = SkipReport.collecting();
    List<Example> examples = JsonlDataset.toExamples(records, template, 8, skips);
    assertEquals(List.of("d:1", "d:2"), examples.stream().map(Example::source).toList());
    assertEquals(1, skips.total());
    assertEquals(List.of("d:3"), skips.sources("longer than the context of 8 tokens"));

    DataFormatException e =
        assertThrows(
            DataFormatException.class, () -> JsonlDataset.toExamples(records, template, 8, SkipReport.strict()));
    assertEquals("d:3: longer than the context of 8 tokens (9 input tokens)", e.getMessage());

    e =
        assertThrows(
            DataFormatException.class,
            () ->
                JsonlDataset.toExamples(
                    List.of(new DataRecord.Preference("p", "c", "r", "d:9")), template, 8, skips));
    assertTrue(e.getMessage().startsWith("d:9: a preference pair"), e.getMessage());
  }
}
