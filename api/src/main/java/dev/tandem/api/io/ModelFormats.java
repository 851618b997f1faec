package dev.tandem.api.io;

import dev.tandem.api.model.GptFamily;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The model families and tokenizer providers a model directory can be read with: those {@link
 * ServiceLoader} finds (plugins declare {@code provides dev.tandem.api.model.ModelFamily} or {@code
 * dev.tandem.api.tokenizer.TokenizerProvider}), with the built-in {@code gpt2} family always there.
 *
 * @param families the families, the first one for a {@code model_type} winning
 * @param tokenizers the tokenizer providers, asked in order
 */
public record ModelFormats(List<ModelFamily> families, List<TokenizerProvider> tokenizers) {
  private static volatile ModelFormats discovered;

  public ModelFormats {
    families = List.copyOf(families);
    tokenizers = List.copyOf(tokenizers);
  }

  /** What {@link ServiceLoader} finds on the module path (or class path), found once. */
  public static ModelFormats discovered() {
    ModelFormats d = discovered;
    if (d == null) {
      List<ModelFamily> fams = new ArrayList<>();
      fams.add(new GptFamily());
      ServiceLoader.load(ModelFamily.class).forEach(f -> {
        if (!(f instanceof GptFamily)) {
          fams.add(f);
        }
      });
      List<TokenizerProvider> toks = new ArrayList<>();
      ServiceLoader.load(TokenizerProvider.class).forEach(toks::add);
      d = new ModelFormats(fams, toks);
      discovered = d;
    }
    return d;
  }

  /** These formats plus others (e.g. from plugin layers), these first. */
  public ModelFormats with(List<ModelFamily> moreFamilies, List<TokenizerProvider> moreTokenizers) {
    List<ModelFamily> f = new ArrayList<>(families);
    f.addAll(moreFamilies);
    List<TokenizerProvider> t = new ArrayList<>(tokenizers);
    t.addAll(moreTokenizers);
    return new ModelFormats(f, t);
  }

  /** The family reading {@code modelType}, or null. */
  public ModelFamily family(String modelType) {
    for (ModelFamily f : families) {
      if (f.modelTypes().contains(modelType)) {
        return f;
      }
    }
    return null;
  }

  /** All model types read, sorted, for messages. */
  public List<String> modelTypes() {
    TreeSet<String> all = new TreeSet<>();
    families.forEach(f -> all.addAll(f.modelTypes()));
    return List.copyOf(all);
  }
}
