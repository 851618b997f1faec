package dev.tandem.api.data;

import java.util.List;

/**
 * One line of a JSONL dataset in one of TRL's standard forms. Named {@code DataRecord} rather than
 * {@code Record} so it never shadows {@link java.lang.Record}.
 */
public sealed interface DataRecord
    permits DataRecord.PromptCompletion, DataRecord.Messages, DataRecord.Text, DataRecord.Preference {

  /** Where it came from, {@code file:line}. */
  String source();

  /** {@code {"prompt": ..., "completion": ...}}. */
  record PromptCompletion(String prompt, String completion, String source) implements DataRecord {}

  /**
   * {@code {"messages": [{"role": ..., "content": ...}, ...]}}; for training the last message must
   * be the assistant's.
   */
  record Messages(List<Message> messages, String source) implements DataRecord {
    /** Copies the list. */
    public Messages {
      messages = List.copyOf(messages);
    }
  }

  /** {@code {"text": ...}}: plain language modelling, loss on every token. */
  record Text(String text, String source) implements DataRecord {}

  /** {@code {"prompt": ..., "chosen": ..., "rejected": ...}}: a preference pair. */
  record Preference(String prompt, String chosen, String rejected, String source) implements DataRecord {}
}
