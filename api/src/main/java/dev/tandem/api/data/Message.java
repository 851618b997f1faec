package dev.tandem.api.data;

import java.util.List;
import java.util.Objects;

/**
 * One turn of a conversation.
 *
 * @param role {@value #SYSTEM}, {@value #USER} or {@value #ASSISTANT}
 * @param content the text of the turn
 */
public record Message(String role, String content) {
  /** System instructions. */
  public static final String SYSTEM = "system";
  /** The user's turn. */
  public static final String USER = "user";
  /** The model's turn. */
  public static final String ASSISTANT = "assistant";
  /** The roles accepted, in the order they usually appear. */
  public static final List<String> ROLES = List.of(SYSTEM, USER, ASSISTANT);

  /** Checks the role. */
  public Message {
    Objects.requireNonNull(content, "content");
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException("role must be one of system, user, assistant, not " + role);
    }
  }

  /** A user message. */
  public static Message user(String content) {
    return new Message(USER, content);
  }

  /** An assistant message. */
  public static Message assistant(String content) {
    return new Message(ASSISTANT, content);
  }

  /** A system message. */
  public static Message system(String content) {
    return new Message(SYSTEM, content);
  }
}
