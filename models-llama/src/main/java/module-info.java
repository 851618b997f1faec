/**
 * The Llama family of Hugging Face checkpoints for Tandem: {@code llama} (Llama 2 and 3.x, TinyLlama,
 * SmolLM), {@code mistral} (within its sliding window), {@code qwen2} and {@code qwen3}, written once
 * over the api's tensor ops, so every engine runs them.
 */
module dev.tandem.llama {
  requires transitive dev.tandem.api;

  exports dev.tandem.llama;

  provides dev.tandem.api.model.ModelFamily with
      dev.tandem.llama.LlamaFamily;
}
