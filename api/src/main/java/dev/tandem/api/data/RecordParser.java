package dev.tandem.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Turns one parsed JSONL line into a {@link DataRecord}, with errors naming the field. */
final class RecordParser {
  static final String FORMS = "prompt/completion, messages, text, prompt/chosen/rejected";

  private RecordParser() {}

  static DataRecord parse(JsonNode node, String source) {
    if (!node.isObject()) {
      throw new DataFormatException(source, "not a JSON object");
    }
    boolean messages = node.has("messages");
    boolean text = node.has("text");
    boolean preference = node.has("chosen") || node.has("rejected");
    boolean completion = !preference && (node.has("prompt") || node.has("completion"));
    List<String> forms = new ArrayList<>();
    if (completion) {
      forms.add("prompt/completion");
    }
    if (messages) {
      forms.add("messages");
    }
    if (text) {
      forms.add("text");
    }
    if (preference) {
      forms.add("prompt/chosen/rejected");
    }
    if (forms.isEmpty()) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      throw new DataFormatException(
          source, "unknown form, expected one of " + FORMS + " (fields: " + String.join(", ", keys) + ")");
    }
    if (forms.size() > 1) {
      throw new DataFormatException(source, "mixes the forms " + String.join(" and ", forms) + "; use one");
    }
    if (completion) {
      return new DataRecord.PromptCompletion(
          string(node, "prompt", source, true), string(node, "completion", source, false), source);
    } else if (messages) {
      return new DataRecord.Messages(messages(node.get("messages"), source), source);
    } else if (text) {
      return new DataRecord.Text(string(node, "text", source, false), source);
    }
    return new DataRecord.Preference(
        string(node, "prompt", source, true),
        string(node, "chosen", source, false),
        string(node, "rejected", source, false),
        source);
  }

  private static List<Message> messages(JsonNode array, String source) {
    if (!array.isArray() || array.isEmpty()) {
      throw new DataFormatException(
          source, "field \"messages\" must be a non-empty array of {\"role\", \"content\"} objects");
    }
    List<Message> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode m = array.get(i);
      String where = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new DataFormatException(source, where + " must be an object with \"role\" and \"content\"");
      }
      String role = string(m, "role", source, where, false);
      if (!Message.ROLES.contains(role)) {
        throw new DataFormatException(
            source, where + ": field \"role\" must be one of system, user, assistant, not \"" + role + "\"");
      }
      out.add(new Message(role, string(m, "content", source, where, true)));
    }
    return out;
  }

  private static String string(JsonNode node, String field, String source, boolean mayBeEmpty) {
    return string(node, field, source, null, mayBeEmpty);
  }

  private static String string(JsonNode node, String field, String source, String where, boolean mayBeEmpty) {
    String prefix = where == null ? "" : where + ": ";
    JsonNode v = node.get(field);
    if (v == null) {
      throw new DataFormatException(source, prefix + "missing field \"" + field + "\"");
    }
    if (!v.isTextual()) {
      throw new DataFormatException(
          source, prefix + "field \"" + field + "\" must be a string, not " + kind(v));
    }
    if (!mayBeEmpty && v.textValue().isEmpty()) {
      throw new DataFormatException(source, prefix + "empty " + field);
    }
    return v.textValue();
  }

  private static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> v.getNodeType().toString().toLowerCase();
    };
  }
}
