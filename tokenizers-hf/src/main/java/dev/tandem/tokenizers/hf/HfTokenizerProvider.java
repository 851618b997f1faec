package dev.tandem.tokenizers.hf;

import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Placeholder until the Hugging Face tokenizer lands (replaced by the hftok branch). */
public final class HfTokenizerProvider implements TokenizerProvider {
  @Override
  public String name() {
    return "huggingface";
  }

  @Override
  public boolean accepts(Path dir) {
    return false;
  }

  @Override
  public Tokenizer load(Path dir) throws IOException {
    throw new IOException("not yet");
  }

  @Override
  public List<String> files(Path dir) {
    return List.of();
  }
}
