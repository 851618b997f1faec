package dev.tandem.api.data;

import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.tokenizer.ChatTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The chat template of a model, used for training and for generation alike. A tokenizer with its
 * own template ({@link Tokenizer#chatTemplate()}, e.g. a Hugging Face model's {@code
 * chat_template}) renders every conversation through it: the prompt is the conversation before the
 * last assistant turn rendered with {@code add_generation_prompt}, the completion is what the full
 * conversation adds to that text (the loss covers it, e.g. {@code reply<|im_end|>\n}), each encoded
 * with special tokens recognised; the template must render the conversation as that prompt followed
 * by the reply, or the record is rejected. Without one, Tandem's built-in template applies, below.
 * Either way one template serves training and generation alike (SPIN's official code used a
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
 * {@code "<|assistant|>"} inside data cannot forge a turn boundary. (A model's own template renders
 * text that is encoded with specials recognised, so there the template's own escaping applies.)
 * Plain text gets the tokenizer's beginning-of-sequence id first when it has one ({@link
 * Tokenizer#bosId()}); rendered conversations carry whatever the template writes.)
 */
public final class PromptTemplate {
  private final Tokenizer tokenizer;
  private final int user;
  private final int assistant;
  private final int system;
  private final int eos;
  private final ChatTemplate chat;

  /**
   * A template over {@code tokenizer}: its own chat template when it has one, else the built-in one,
   * for which the tokenizer must have the specials {@code <|user|>}, {@code <|assistant|>} and
   * {@code <|system|>}.
   *
   * @throws IllegalArgumentException naming a missing special
   */
  public PromptTemplate(Tokenizer tokenizer) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.chat = tokenizer.chatTemplate().orElse(null);
    boolean builtIn = chat == null;
    this.user = builtIn ? tokenizer.specialId(ByteTokenizer.USER) : -1;
    this.assistant = builtIn ? tokenizer.specialId(ByteTokenizer.ASSISTANT) : -1;
    this.system = builtIn ? tokenizer.specialId(ByteTokenizer.SYSTEM) : -1;
    this.eos = tokenizer.eosId();
  }

  /** The tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** {@code <|user|> prompt <|assistant|>}: what generation starts from. */
  public int[] promptTokens(String prompt) {
    if (chat != null) {
      return promptTokens(List.of(Message.user(prompt)));
    }
    return concat(new int[] {user}, tokenizer.encode(prompt), new int[] {assistant});
  }

  /**
   * The conversation so far followed by {@code <|assistant|>}: what generation of the next
   * assistant turn starts from.
   */
  public int[] promptTokens(List<Message> conversation) {
    if (chat != null) {
      // a special token typed into a message is refused (IllegalArgumentException) rather than obeyed
      return tokenizer.encodeWithSpecials(render(conversation, true, "the prompt"));
    }
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
    if (chat != null) {
      return messages(List.of(Message.user(prompt), Message.assistant(completion)), source);
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
    if (chat != null) {
      return rendered(messages, source);
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
    int[] bos = tokenizer.bosId().isPresent() ? new int[] {tokenizer.bosId().getAsInt()} : new int[0];
    return new Example(concat(bos, tokenizer.encode(text), new int[] {eos}), 0, source);
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

  /** A conversation through the model's own template: prompt, then what the reply adds. */
  private Example rendered(List<Message> messages, String source) {
    String prompt;
    String full;
    try {
      prompt = render(messages.subList(0, messages.size() - 1), true, "the prompt");
      full = render(messages, false, "the conversation");
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(source, e.getMessage());
    }
    if (!full.startsWith(prompt)) {
      throw new DataFormatException(
          source,
          "the model's chat template does not render this conversation as its prompt (with the generation"
              + " prompt) followed by the reply, so the reply cannot be told apart for the loss");
    }
    int[] p = tokenizer.encodeWithSpecials(prompt);
    int[] c = tokenizer.encodeWithSpecials(full.substring(prompt.length()));
    boolean ends = false;
    for (int id : c) {
      ends |= id == eos;
    }
    return new Example(ends ? concat(p, c) : concat(p, c, new int[] {eos}), p.length, source);
  }

  private String render(List<Message> messages, boolean generationPrompt, String what) {
    List<Map<String, Object>> turns = new ArrayList<>();
    for (Message m : messages) {
      for (String special : tokenizer.specialTokens().keySet()) {
        if (!special.isEmpty() && m.content().contains(special)) {
          throw new IllegalArgumentException(
              "the " + m.role() + " message contains the special token " + special + ", which the chat template's"
                  + " output would turn into a real one (a forged turn boundary)");
        }
      }
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("role", m.role());
      t.put("content", m.content());
      turns.add(t);
    }
    return chat.render(turns, generationPrompt, Map.of());
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
    if (chat != null) {
      return "PromptTemplate(" + tokenizer + ", the model's chat template, eos " + eos + ")";
    }
    return "PromptTemplate(" + tokenizer + ", user " + user + ", assistant " + assistant + ", eos " + eos + ")";
  }
}
