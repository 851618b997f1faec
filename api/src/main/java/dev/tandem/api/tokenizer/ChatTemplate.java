package dev.tandem.api.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * A model's own chat template (Hugging Face's {@code chat_template}): renders a conversation to the
 * text the model was trained on, as transformers' {@code apply_chat_template(..., tokenize=False)}
 * does. The text may contain special tokens (e.g. {@code <|im_start|>}); encode it with {@link
 * Tokenizer#encodeWithSpecials}.
 *
 * <p>Implementations render untrusted templates (they come from downloaded model directories) in a
 * sandbox and are thread-safe.
 */
public interface ChatTemplate {
  /**
   * The conversation as text.
   *
   * @param messages the turns, each at least {@code role} and {@code content} (strings); templates
   *     may read more keys (e.g. {@code reasoning_content}, {@code tool_calls})
   * @param addGenerationPrompt whether to append the header of the next assistant turn (what
   *     generation starts from)
   * @param extra further template variables, e.g. {@code tools} or {@code enable_thinking}; may be
   *     empty
   * @throws IllegalArgumentException if the template fails (it calls {@code raise_exception}, reads
   *     an undefined value in a way Jinja rejects, or exceeds the sandbox's limits); the message
   *     names the template and, where known, its line
   */
  String render(List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> extra);
}
