package dev.tandem.api.tokenizer;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Text to token ids and back. Implementations are immutable and thread-safe. */
public interface Tokenizer {
  /** Token ids of plain text (special-token names in the text are not interpreted). */
  int[] encode(String text);

  /** Text of token ids; special tokens are omitted. */
  String decode(int[] ids);

  /** Number of ids, specials included. */
  int vocabSize();

  /** Special tokens by name, e.g. {@code <|endoftext|>}. */
  Map<String, Integer> specialTokens();

  /** The end-of-sequence id. */
  int eosId();

  /** The padding id (never a target of the loss). */
  int padId();

  /**
   * Token ids of text in which special-token names (e.g. {@code <|im_start|>}) are read as their
   * special ids: for text rendered by a {@link ChatTemplate}. No beginning-of-sequence token is
   * added. The default throws: a tokenizer without a chat template need not support it.
   */
  default int[] encodeWithSpecials(String text) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not encode special-token text");
  }

  /**
   * The beginning-of-sequence id that the model expects before plain text (Hugging Face's {@code
   * add_bos_token}), or empty when none is added.
   */
  default OptionalInt bosId() {
    return OptionalInt.empty();
  }

  /** The model's own chat template, or empty for Tandem's built-in one ({@code <|user|>} ...). */
  default Optional<ChatTemplate> chatTemplate() {
    return Optional.empty();
  }

  /** The id of a special token; throws {@link IllegalArgumentException} naming the known ones. */
  default int specialId(String name) {
    Integer id = specialTokens().get(name);
    if (id == null) {
      throw new IllegalArgumentException(
          "unknown special token " + name + ", known: " + specialTokens().keySet());
    }
    return id;
  }
}
