package dev.tandem.api.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.io.JsonFiles;
import dev.tandem.api.io.CheckpointFiles;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.ModelWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creating, saving and loading compositions.
 *
 * <p>A composed model directory holds {@value #FILE}, the new parameters only (in {@code
 * model.safetensors}, or the layout the strategy's {@link Composition#writeParameters} writes: PEFT's
 * adapter files for LoRA), and a copy of the anchor's {@code tokenizer.json}:
 *
 * <pre>{@code
 * {"format": "tandem-composition", "version": 1, "strategy": "calm",
 *  "bases": [{"role": "anchor", "path": "/abs/m_B", "sha256": "..."},
 *            {"role": "augment", "path": "/abs/m_A", "sha256": "..."}],
 *  "settings": {...}}
 * }</pre>
 *
 * Base paths are absolute. The SHA-256 of each base's {@code model.safetensors} is checked on load:
 * a base that changed since the composition was made is an error, never silently different
 * weights. Bases must share one tokenizer and vocabulary.
 */
public final class Compositions {
  /** The file that marks a composed model directory. */
  public static final String FILE = "composition.json";

  /** The {@code format} field. */
  public static final String FORMAT = "tandem-composition";

  /** The format version written and accepted. */
  public static final int VERSION = 1;

  private Compositions() {}

  /** Whether {@code dir} is a composed model directory (it holds {@value #FILE}). */
  public static boolean isComposed(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  /**
   * Loads and hashes the bases of a new composition.
   *
   * @throws ModelFormatException if a directory is not a plain model directory
   * @throws IllegalArgumentException if the bases' tokenizers or vocabularies differ
   */
  public static List<BaseModel> loadBases(Path anchor, List<Path> augments) throws IOException {
    List<BaseModel> bases = new ArrayList<>();
    bases.add(base(BaseModel.ANCHOR, 0, anchor));
    for (int i = 0; i < augments.size(); i++) {
      bases.add(base(BaseModel.AUGMENT, i, augments.get(i)));
    }
    checkCompatible(bases);
    return bases;
  }

  /**
   * A new composition on {@code engine}: the bases' weights (frozen) and the strategy's new
   * parameters from {@code seed} (trainable).
   *
   * @param options the strategy's options (see {@link CompositionStrategy#settings})
   */
  public static LoadedModel create(
      Engine engine, CompositionStrategy strategy, List<BaseModel> bases, Map<String, String> options, long seed) {
    ObjectNode settings = strategy.settings(bases, options);
    Composition c = strategy.build(bases, settings);
    Map<String, HostTensor> fresh = c.initialParameters(seed);
    return onEngine(engine, null, strategy.name(), bases, settings, c, fresh, true);
  }

  /**
   * Loads a composed model directory.
   *
   * @param trainable whether the new parameters receive gradients (the bases never do)
   * @param strategies the known strategies by name
   * @throws ModelFormatException naming the file at fault: a malformed {@value #FILE}, an unknown
   *     strategy, a missing or changed base, or new parameters that do not fit the settings
   */
  public static LoadedModel load(
      Engine engine, Path dir, boolean trainable, Map<String, CompositionStrategy> strategies) throws IOException {
    Path file = dir.resolve(FILE);
    ObjectNode root = JsonFiles.readObject(file);
    if (!FORMAT.equals(text(root, "format")) || !root.path("version").isInt() || root.get("version").intValue() != VERSION) {
      throw new ModelFormatException(file, "not a " + FORMAT + " version " + VERSION + " file");
    }
    String name = text(root, "strategy");
    if (name == null) {
      throw new ModelFormatException(file, "missing field \"strategy\"");
    }
    CompositionStrategy strategy = strategies.get(name);
    if (strategy == null) {
      throw new ModelFormatException(
          file, "unknown composition strategy '" + name + "', known: " + (strategies.isEmpty() ? "(none: is its plugin on the module path?)" : String.join(", ", new TreeSet<>(strategies.keySet()))));
    }
    JsonNode refs = root.get("bases");
    if (refs == null || !refs.isArray() || refs.isEmpty()) {
      throw new ModelFormatException(file, "\"bases\" must be a non-empty array");
    }
    List<BaseModel> bases = new ArrayList<>();
    int augments = 0;
    for (int i = 0; i < refs.size(); i++) {
      JsonNode r = refs.get(i);
      String role = text(r, "role");
      String path = text(r, "path");
      String sha = text(r, "sha256");
      boolean anchor = BaseModel.ANCHOR.equals(role);
      if (path == null || sha == null || (i == 0) != anchor || !(anchor || BaseModel.AUGMENT.equals(role))) {
        throw new ModelFormatException(file, "bases[" + i + "] must have role (the anchor first, then augment), path and sha256");
      }
      Path p = Path.of(path);
      if (!p.isAbsolute()) {
        p = dir.resolve(p);
      }
      p = p.toAbsolutePath().normalize();
      String label = anchor ? "anchor" : "augment" + augments;
      if (!Files.isDirectory(p)) {
        throw new ModelFormatException(file, "base model " + label + " " + p + " does not exist (was it moved or deleted?)");
      }
      String actual = sha256(CheckpointFiles.identifyingFile(p));
      if (!actual.equals(sha)) {
        throw new ModelFormatException(
            file,
            "base model " + label + " " + p + " has changed since the composition was made ("
                + ModelDirectory.WEIGHTS + " SHA-256 is " + actual + ", expected " + sha
                + "): compose again from the current base, or restore the original");
      }
      bases.add(new BaseModel(anchor ? BaseModel.ANCHOR : BaseModel.AUGMENT, anchor ? 0 : augments++, p, ModelDirectory.load(p), actual));
    }
    checkCompatible(bases);
    JsonNode settings = root.get("settings");
    if (settings == null || !settings.isObject()) {
      throw new ModelFormatException(file, "missing object \"settings\"");
    }
    Composition c;
    try {
      c = strategy.build(bases, settings);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
    Path weightsFile = dir.resolve(c.parametersFile());
    Map<String, HostTensor> saved = c.readParameters(dir);
    Map<String, HostTensor> expected = c.initialParameters(0);
    checkParameters(weightsFile, expected, saved);
    Map<String, HostTensor> values = new LinkedHashMap<>();
    expected.keySet().forEach(k -> values.put(k, saved.get(k)));
    return onEngine(engine, dir, name, bases, settings, c, values, trainable);
  }

  /**
   * Writes a composed model directory atomically: {@value #FILE}, the new parameters among {@code
   * weights} and the anchor's tokenizer.
   */
  public static void save(Path dir, ComposedModel composed, Map<String, HostTensor> weights) throws IOException {
    AtomicFiles.writeDirectory(dir, staged -> write(staged, composed, weights));
  }

  /** Writes the files of a composed model directory into an existing directory (not atomically as a set). */
  public static void write(Path dir, ComposedModel composed, Map<String, HostTensor> weights) throws IOException {
    ObjectNode root = JsonFiles.newObject();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("strategy", composed.strategy());
    ArrayNode refs = root.putArray("bases");
    for (BaseModel b : composed.bases()) {
      ObjectNode r = refs.addObject();
      r.put("role", b.role());
      r.put("path", b.path().toString());
      r.put("sha256", b.sha256());
    }
    root.set("settings", composed.settings().deepCopy());
    Map<String, HostTensor> own = new LinkedHashMap<>();
    for (String n : new TreeSet<>(composed.parameters())) {
      HostTensor v = weights.get(n);
      if (v == null) {
        throw new IllegalArgumentException("no value for composition parameter " + n);
      }
      own.put(n, v);
    }
    composed.composition().writeParameters(dir, own);
    composed.anchor().directory().writeTokenizer(dir);
    JsonFiles.write(dir.resolve(FILE), root);
  }

  /** SHA-256 of a file, lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  // ---- internals --------------------------------------------------------------------------------

  private static BaseModel base(String role, int index, Path dir) throws IOException {
    Path p = dir.toAbsolutePath().normalize();
    if (isComposed(p)) {
      throw new ModelFormatException(p, "is a composed model; a base must be a plain model directory");
    }
    ModelDirectory md = ModelDirectory.load(p);
    return new BaseModel(role, index, p, md, sha256(CheckpointFiles.identifyingFile(p)));
  }

  /** Same tokenizer and vocabulary everywhere, or a clear error. */
  static void checkCompatible(List<BaseModel> bases) {
    BaseModel anchor = bases.get(0);
    Tokenizer t = anchor.directory().tokenizer();
    ModelConfig c = anchor.config();
    for (BaseModel b : bases.subList(1, bases.size())) {
      Tokenizer u = b.directory().tokenizer();
      if (!anchor.directory().sameTokenizer(b.directory()) || t.vocabSize() != u.vocabSize()
          || !t.specialTokens().equals(u.specialTokens())) {
        throw new IllegalArgumentException(
            "cannot compose models with different tokenizers: the anchor " + anchor.path() + " has " + describe(t)
                + ", " + b.label() + " " + b.path() + " has " + describe(u));
      }
      if (b.config().vocabSize() != c.vocabSize()) {
        throw new IllegalArgumentException(
            "cannot compose models with different vocabularies: the anchor " + anchor.path() + " has vocab_size "
                + c.vocabSize() + ", " + b.label() + " " + b.path() + " has " + b.config().vocabSize());
      }
    }
  }

  private static String describe(Tokenizer t) {
    return t.getClass().getSimpleName() + " with " + t.vocabSize() + " ids and specials " + t.specialTokens().keySet();
  }

  private static void checkParameters(Path file, Map<String, HostTensor> expected, Map<String, HostTensor> actual)
      throws ModelFormatException {
    for (var e : expected.entrySet()) {
      HostTensor a = actual.get(e.getKey());
      if (a == null) {
        throw new ModelFormatException(file, "missing composition parameter " + e.getKey());
      }
      if (!a.shape().equals(e.getValue().shape()) || a.dtype() != e.getValue().dtype()) {
        throw new ModelFormatException(
            file, "composition parameter " + e.getKey() + " is " + a.dtype() + a.shape() + ", the settings imply "
                + e.getValue().dtype() + e.getValue().shape());
      }
    }
    Set<String> extra = new TreeSet<>(actual.keySet());
    extra.removeAll(expected.keySet());
    if (!extra.isEmpty()) {
      throw new ModelFormatException(file, "unexpected tensors " + extra);
    }
  }

  private static LoadedModel onEngine(
      Engine engine,
      Path dir,
      String strategy,
      List<BaseModel> bases,
      JsonNode settings,
      Composition c,
      Map<String, HostTensor> fresh,
      boolean trainable) {
    // views, not copies: the bases' weights are read one at a time as the engine takes them
    List<Map<String, HostTensor>> parts = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (BaseModel b : bases) {
      Map<String, HostTensor> w = b.prefixedWeights();
      names.addAll(w.keySet());
      parts.add(w);
    }
    for (String k : fresh.keySet()) {
      if (!names.add(k)) {
        throw new IllegalStateException("composition parameter " + k + " clashes with a base parameter");
      }
    }
    parts.add(fresh);
    @SuppressWarnings("unchecked")
    Map<String, HostTensor> all = dev.tandem.api.io.TensorMaps.concat(parts.toArray(new Map[0]));
    Parameters params = LoadedModel.upload(engine, all, trainable ? fresh.keySet() : Set.of());
    ComposedModel composed = new ComposedModel(strategy, bases, settings, c, fresh.keySet());
    ModelWriter writer =
        new ModelWriter() {
          @Override
          public void write(Path d, Map<String, HostTensor> w) throws IOException {
            Compositions.write(d, composed, w);
          }

          @Override
          public Map<String, HostTensor> read(Path d) throws IOException {
            return c.readParameters(d);
          }

          @Override
          public Map<String, HostTensor> values(Parameters p) {
            return p.readAll(fresh.keySet());
          }
        };
    Tokenizer tokenizer = bases.get(0).directory().tokenizer();
    return LoadedModel.composed(dir, c.model(), params, tokenizer, writer, composed);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }
}
