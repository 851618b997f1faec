package dev.tandem.tokenizers.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.tokenizer.ChatTemplate;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a model directory's chat template and builds its renderer. As in transformers, the file
 * {@code chat_template.jinja} wins over {@code tokenizer_config.json}'s {@code chat_template}, which
 * is a string or a list of {@code {"name": ..., "template": ...}} objects (the one named {@code
 * default} is used).
 */
final class ChatTemplates {
  /** The file that holds a template on its own (newer repositories). */
  static final String JINJA_FILE = "chat_template.jinja";

  /** Where a template was found: its text, a name for messages, and the file (and field) it came from. */
  record Source(String text, String name, Path file) {}

  private ChatTemplates() {}

  /**
   * The template source of {@code dir}, or empty when it has none.
   *
   * @param config the parsed {@code tokenizer_config.json} ({@code configFile})
   * @throws ModelFormatException for a {@code chat_template} of the wrong type, a list without a
   *     {@code default} entry, or a {@code chat_template.jinja} that is not UTF-8
   */
  static Optional<Source> find(Path dir, ObjectNode config, Path configFile) throws IOException {
    Path jinja = dir.resolve(JINJA_FILE);
    if (Files.isRegularFile(jinja)) {
      try {
        return Optional.of(new Source(Files.readString(jinja), jinja.toString(), jinja));
      } catch (MalformedInputException e) {
        throw new ModelFormatException(jinja, "not valid UTF-8", e);
      }
    }
    JsonNode node = config.get("chat_template");
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    String name = configFile + " chat_template";
    if (node.isTextual()) {
      return Optional.of(new Source(node.textValue(), name, configFile));
    }
    if (node.isArray()) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        JsonNode entry = node.get(i);
        JsonNode n = entry.get("name");
        JsonNode t = entry.get("template");
        if (!entry.isObject() || n == null || !n.isTextual() || t == null || !t.isTextual()) {
          throw new ModelFormatException(
              configFile, "\"chat_template\"[" + i + "] must be an object with string \"name\" and \"template\"");
        }
        if (n.textValue().equals("default")) {
          return Optional.of(new Source(t.textValue(), name + " (default)", configFile));
        }
        names.add(n.textValue());
      }
      throw new ModelFormatException(
          configFile, "\"chat_template\" is a list without a template named \"default\" (names: " + names + ")");
    }
    throw new ModelFormatException(
        configFile,
        "\"chat_template\" must be a string or a list of {\"name\", \"template\"} objects, not "
            + node.getNodeType().toString().toLowerCase());
  }

  /**
   * The renderer of {@code source}.
   *
   * @param specials template variables {@code bos_token}, {@code eos_token}, {@code pad_token},
   *     {@code unk_token} (those set) as strings
   * @throws ModelFormatException naming the file when the template does not parse
   */
  static ChatTemplate create(Source source, Map<String, Object> specials) throws ModelFormatException {
    try {
      return newTemplate(source.text(), source.name(), specials);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(source.file(), "chat template: " + e.getMessage(), e);
    }
  }

  private static ChatTemplate newTemplate(String source, String name, Map<String, Object> specials) {
    return new HfChatTemplate(source, name, specials);
  }
}
