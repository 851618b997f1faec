/**
 * Hugging Face tokenizers for Tandem: {@code tokenizer.json} through the Hugging Face tokenizers
 * library (DJL's binding; its Rust natives ship inside the jar and load offline), the special tokens
 * of {@code tokenizer_config.json}, and the model's chat template ({@code chat_template} there, or
 * {@code chat_template.jinja}) rendered by a sandboxed Jinja engine.
 */
module dev.tandem.tokenizers.hf {
  requires transitive dev.tandem.api;
  requires ai.djl.tokenizers;
  requires ai.djl.api;

  exports dev.tandem.tokenizers.hf;
  exports dev.tandem.tokenizers.hf.jinja;

  provides dev.tandem.api.tokenizer.TokenizerProvider with
      dev.tandem.tokenizers.hf.HfTokenizerProvider;
}
