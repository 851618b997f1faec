package dev.tandem.api.tokenizer;

import java.util.Map;

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
