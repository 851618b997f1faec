package dev.tandem.api.data;

import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import java.util.List;
import java.util.Objects;

/**
 * The one chat template, used for training and for generation alike (SPIN's official code used a
 * different template for generation than for training: a known bug this class exists to prevent).
 *
 * <ul>
 *   <li>prompt/completion: {@code <|user|> prompt <|assistant|> completion <|endoftext|>}; the prompt
 *       is everything up to and including {@code <|assistant|>}.
 *   <li>messages: each message is {@code <|role|> content}, in order; the last message must be the
 *       assistant's and is the completion (followed by {@code <|endoftext|>}); everything before it,
 *       earlier assistant turns included, is prompt. So the loss covers only the last assistant turn.
 *   <li>text: {@code text <|endoftext|>} with an empty prompt: the loss covers every token.
 * </ul>
 *
 * Text is encoded with {@link Tokenizer#encode}, which never yields special ids, so the literal text
 * {@code "<|assistant|>"} inside data cannot forge a turn boundary.
 */
public final class PromptTemplate {
  private final Tokenizer tokenizer;
  private final int user;
  private final int assistant;
  private final int system;
  private final int eos;

  /**
   * A template over {@code tokenizer}, which must have the specials {@code <|user|>}, {@code
   * <|assistant|>} and {@code <|system|>}.
   *
   * @throws IllegalArgumentException naming a missing special
   */
  public PromptTemplate(Tokenizer tokenizer) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.user = tokenizer.specialId(ByteTokenizer.USER);
    this.assistant = tokenizer.specialId(ByteTokenizer.ASSISTANT);
    this.system = tokenizer.specialId(ByteTokenizer.SYSTEM);
    this.eos = tokenizer.eosId();
  }

  /** The tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** {@code <|user|> prompt <|assistant|>}: what generation starts from. */
  public int[] promptTokens(String prompt) {
    return concat(new int[] {user}, tokenizer.encode(prompt), new int[] {assistant});
  }

  /**
   * The conversation so far followed by {@code <|assistant|>}: what generation of the next
   * assistant turn starts from.
   */
  public int[] promptTokens(List<Message> conversation) {
    return concat(turns(conversation, conversation.size()), new int[] {assistant});
  }

  /**
   * {@code <|user|> prompt <|assistant|> completion <|endoftext|>}, loss on the completion and
   * end-of-sequence only.
   *
   * @throws DataFormatException if the completion is empty
   */
  public Example completion(String prompt, String completion, String source) {
    if (completion.isEmpty()) {
      throw new DataFormatException(source, "empty completion");
    }
    int[] p = promptTokens(prompt);
    return new Example(concat(p, tokenizer.encode(completion), new int[] {eos}), p.length, source);
  }

  /**
   * A conversation whose last message, the assistant's, is the completion.
   *
   * @throws DataFormatException if there are no messages, the last one is not the assistant's, or
   *     it is empty
   */
  public Example messages(List<Message> messages, String source) {
    if (messages.isEmpty()) {
      throw new DataFormatException(source, "no messages");
    }
    Message last = messages.get(messages.size() - 1);
    if (!last.role().equals(Message.ASSISTANT)) {
      throw new DataFormatException(
          source, "the last message must be the assistant's (it is the completion), not " + last.role() + "'s");
    }
    if (last.content().isEmpty()) {
      throw new DataFormatException(source, "empty completion (the last assistant message)");
    }
    int[] p = promptTokens(messages.subList(0, messages.size() - 1));
    return new Example(concat(p, tokenizer.encode(last.content()), new int[] {eos}), p.length, source);
  }

  /**
   * {@code text <|endoftext|>} with loss on every token.
   *
   * @throws DataFormatException if the text is empty
   */
  public Example text(String text, String source) {
    if (text.isEmpty()) {
      throw new DataFormatException(source, "empty text");
    }
    return new Example(concat(tokenizer.encode(text), new int[] {eos}), 0, source);
  }

  /**
   * The training example of a record.
   *
   * @throws DataFormatException for a {@link DataRecord.Preference}, which is a pair, not one
   *     example (use {@link #completion} with its chosen or rejected response)
   */
  public Example example(DataRecord record) {
    if (record instanceof DataRecord.PromptCompletion pc) {
      return completion(pc.prompt(), pc.completion(), pc.source());
    } else if (record instanceof DataRecord.Messages m) {
      return messages(m.messages(), m.source());
    } else if (record instanceof DataRecord.Text t) {
      return text(t.text(), t.source());
    }
    throw new DataFormatException(
        record.source(), "a preference pair (prompt/chosen/rejected) where a single example was expected");
  }

  private int[] turns(List<Message> messages, int count) {
    int[][] parts = new int[2 * count][];
    for (int i = 0; i < count; i++) {
      Message m = messages.get(i);
      parts[2 * i] = new int[] {roleId(m.role())};
      parts[2 * i + 1] = tokenizer.encode(m.content());
    }
    return concat(parts);
  }

  private int roleId(String role) {
    return switch (role) {
      case Message.USER -> user;
      case Message.ASSISTANT -> assistant;
      case Message.SYSTEM -> system;
      default -> throw new IllegalArgumentException("unknown role " + role);
    };
  }

  private static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] out = new int[n];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Override
  public String toString() {
    return "PromptTemplate(" + tokenizer + ", user " + user + ", assistant " + assistant + ", eos " + eos + ")";
  }
}
