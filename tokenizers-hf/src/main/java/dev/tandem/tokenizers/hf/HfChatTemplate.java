package dev.tandem.tokenizers.hf;

import dev.tandem.api.tokenizer.ChatTemplate;
import dev.tandem.tokenizers.hf.jinja.JinjaTemplate;
import dev.tandem.tokenizers.hf.jinja.Limits;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face {@code chat_template} rendered as transformers' {@code apply_chat_template(...,
 * tokenize=False)} does: the special tokens and the extra variables, then {@code messages}, {@code
 * tools} and {@code documents} (none unless given) and {@code add_generation_prompt}. Parsed once;
 * thread-safe.
 */
public final class HfChatTemplate implements ChatTemplate {
  private final JinjaTemplate template;
  private final Map<String, Object> specialTokens;
  private final Clock clock;

  /**
   * @param source the template text
   * @param name the name errors report it by (e.g. the model directory)
   * @param specialTokens template variables such as bos_token, eos_token, pad_token, unk_token
   *     (strings); null values are left out, as transformers leaves unset tokens out
   * @throws dev.tandem.tokenizers.hf.jinja.TemplateException if the template does not parse
   */
  public HfChatTemplate(String source, String name, Map<String, Object> specialTokens) {
    this(source, name, specialTokens, Clock.systemDefaultZone());
  }

  /**
   * A template whose {@code strftime_now} reads {@code clock}: templates such as SmolLM3's and
   * Llama 3.2's put today's date in the system prompt, so a fixed clock makes their prompts
   * reproducible.
   *
   * @param source the template text
   * @param name the name errors report it by (e.g. the model directory)
   * @param specialTokens template variables such as bos_token, eos_token (null values left out)
   * @param clock the clock {@code strftime_now} reads, in its zone
   * @throws dev.tandem.tokenizers.hf.jinja.TemplateException if the template does not parse
   */
  public HfChatTemplate(String source, String name, Map<String, Object> specialTokens,
      Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.template = JinjaTemplate.parse(source, name);
    Map<String, Object> tokens = new LinkedHashMap<>();
    Objects.requireNonNull(specialTokens, "specialTokens").forEach((k, v) -> {
      if (v != null) { // transformers' special_tokens_map leaves unset tokens out
        tokens.put(k, v);
      }
    });
    this.specialTokens = Collections.unmodifiableMap(tokens);
  }

  @Override
  public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt,
      Map<String, Object> extra) {
    Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
    if (extra != null) {
      vars.putAll(extra);
    }
    vars.put("messages", messages);
    vars.putIfAbsent("tools", null);
    vars.putIfAbsent("documents", null);
    vars.put("add_generation_prompt", addGenerationPrompt);
    return template.render(vars, Limits.defaults(), clock);
  }
}
