package dev.tandem.tokenizers.hf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.JsonFiles;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.tokenizer.ChatTemplate;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A Hugging Face tokenizer: a model directory's {@code tokenizer.json} run by the Rust tokenizers
 * library through DJL's binding ({@link HuggingFaceTokenizer}), with the special tokens, {@code
 * add_bos_token} and chat template of {@code tokenizer_config.json} (fields missing there are read
 * from {@code special_tokens_map.json}) and the end-of-sequence ids of {@code generation_config.json}.
 *
 * <h2>Offline</h2>
 *
 * The {@code ai.djl.huggingface:tokenizers} jar bundles the Rust library for linux-x86_64,
 * linux-aarch64, osx-aarch64 and win-x86_64 under {@code native/lib/<classifier>/}; on first use
 * {@code LibUtils} copies it from the class path into {@code <engine cache>/tokenizers/<version>-
 * <classifier>/} ({@code ENGINE_CACHE_DIR}, else {@code DJL_CACHE_DIR}, else {@code ~/.djl.ai}; system
 * property or environment variable) and loads it from there; nothing is downloaded. Files are read
 * from disk only ({@code HuggingFaceTokenizer.newInstance(String)}, which fetches from the Hub, is
 * never called). The one network access left is DJL's start-up telemetry ({@code
 * Ec2Utils.callHome}, which asks the EC2 metadata address), skipped when {@code ai.djl.offline} /
 * {@code DJL_OFFLINE} or {@code OPT_OUT_TRACKING} is true; unless either is set, loading this class
 * sets the system property {@code OPT_OUT_TRACKING=true}, which disables only that telemetry.
 *
 * <h2>Plain text cannot forge special tokens</h2>
 *
 * DJL 0.36 does not expose the library's {@code encode_special_tokens} switch. So two native
 * tokenizers are built: one from the file as it is ({@link #encodeWithSpecials}, {@link #decode}),
 * and one from the same JSON with the added tokens marked {@code "special": true} removed from
 * {@code added_tokens} ({@link #encode}). In the second, the text {@code <|im_start|>} is not matched
 * as an added token and goes through the normalizer, pre-tokenizer and model like any other text:
 * exactly what {@code encode_special_tokens=true} does in the Rust library. Added tokens that are not
 * special (e.g. Qwen3's {@code <think>}) are still matched, as there; the library renumbers them in
 * the second tokenizer (it numbers added tokens in file order), so their ids are mapped back. Both
 * tokenizers are built with truncation and padding off and never add bos/eos (the post-processor is
 * not applied). Loading checks that the library numbers every added token as the file does.
 *
 * <p>Immutable and thread-safe. The native handles are released by DJL's finalizer.
 */
public final class HfTokenizer implements Tokenizer {
  /** The Rust library's own file. */
  public static final String TOKENIZER_JSON = "tokenizer.json";
  /** transformers' tokenizer settings. */
  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  /** Older repositories' special tokens (read where {@code tokenizer_config.json} lacks a field). */
  public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
  /** The model's generation settings ({@code eos_token_id}). */
  public static final String GENERATION_CONFIG = "generation_config.json";

  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  static {
    if (!isTrue("DJL_OFFLINE", "ai.djl.offline") && !isTrue("OPT_OUT_TRACKING", "OPT_OUT_TRACKING")) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  private final HuggingFaceTokenizer withSpecials;
  private final HuggingFaceTokenizer plain;
  private final int vocabSize;
  private final Map<String, Integer> specials;
  private final int[] eosIds;
  private final int padId;
  private final OptionalInt bosId;
  /** {@link #plain}'s id {@code plainIdsFrom + i} is the file's id {@code plainIds[i]} (when not -1). */
  private final int plainIdsFrom;
  private final int[] plainIds;
  private final Optional<ChatTemplate> chatTemplate;
  private final Optional<String> chatTemplateSource;
  private final Path dir;

  private HfTokenizer(Builder b) {
    this.withSpecials = b.withSpecials;
    this.plain = b.plain;
    this.vocabSize = b.vocabSize;
    this.specials = b.specials;
    this.eosIds = b.eosIds;
    this.padId = b.padId;
    this.bosId = b.bosId;
    this.plainIdsFrom = b.plainIdsFrom;
    this.plainIds = b.plainIds;
    this.chatTemplate = b.chatTemplate;
    this.chatTemplateSource = b.chatTemplateSource;
    this.dir = b.dir;
  }

  /**
   * The tokenizer of model directory {@code dir}: {@code tokenizer.json} and {@code
   * tokenizer_config.json} are required; {@code special_tokens_map.json}, {@code
   * chat_template.jinja} and {@code generation_config.json} are read when present.
   *
   * @throws ModelFormatException naming the file and field that is missing or malformed (a special
   *     token that is not in the vocabulary, a field of the wrong type, a file that is not a JSON
   *     object, a {@code tokenizer.json} without {@code model} or one the library rejects)
   */
  public static HfTokenizer load(Path dir) throws IOException {
    return new Loader(dir).load();
  }

  @Override
  public int[] encode(String text) {
    int[] ids = encode(plain, text);
    for (int i = 0; i < ids.length; i++) {
      int k = ids[i] - plainIdsFrom;
      if (k >= 0 && k < plainIds.length && plainIds[k] >= 0) {
        ids[i] = plainIds[k];
      }
    }
    return ids;
  }

  @Override
  public int[] encodeWithSpecials(String text) {
    return encode(withSpecials, text);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException for an id outside {@code [0, vocabSize)}
   */
  @Override
  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new IllegalArgumentException("token id " + ids[i] + " outside vocabulary of " + vocabSize);
      }
      longs[i] = ids[i];
    }
    return withSpecials.decode(longs, true);
  }

  /** Highest id of the model's vocabulary and the added tokens, plus one. */
  @Override
  public int vocabSize() {
    return vocabSize;
  }

  /** The added tokens marked special, by name, in id order. */
  @Override
  public Map<String, Integer> specialTokens() {
    return specials;
  }

  /** The first of {@link #eosIds()}. */
  @Override
  public int eosId() {
    return eosIds[0];
  }

  /**
   * All end-of-sequence ids: {@code generation_config.json}'s {@code eos_token_id} (an int or a
   * list) when present, else {@code tokenizer_config.json}'s {@code eos_token}.
   */
  public List<Integer> eosIds() {
    return Arrays.stream(eosIds).boxed().toList();
  }

  /** {@code pad_token}'s id, else {@link #eosId()}. */
  @Override
  public int padId() {
    return padId;
  }

  /**
   * {@code bos_token}'s id when {@code add_bos_token} is true (Llama); empty when it is false or
   * (without {@code add_bos_token}) when {@code tokenizer.json}'s post-processor does not put {@code
   * bos_token} first (Qwen).
   */
  @Override
  public OptionalInt bosId() {
    return bosId;
  }

  @Override
  public Optional<ChatTemplate> chatTemplate() {
    return chatTemplate;
  }

  /** The text of the chat template ({@code chat_template.jinja} or {@code chat_template}), if any. */
  public Optional<String> chatTemplateSource() {
    return chatTemplateSource;
  }

  @Override
  public String toString() {
    return "HfTokenizer(" + dir + ", vocab " + vocabSize + ", eos " + eosIds() + ", pad " + padId
        + ", bos " + (bosId.isPresent() ? bosId.getAsInt() : "none") + ")";
  }

  private static int[] encode(HuggingFaceTokenizer tokenizer, String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      return new int[0];
    }
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  private static boolean isTrue(String env, String property) {
    String v = System.getenv(env);
    return Boolean.parseBoolean(v != null ? v : System.getProperty(property));
  }

  /** What a loaded tokenizer is made of. */
  private static final class Builder {
    HuggingFaceTokenizer withSpecials;
    HuggingFaceTokenizer plain;
    int vocabSize;
    Map<String, Integer> specials;
    int[] eosIds;
    int padId;
    OptionalInt bosId;
    int plainIdsFrom;
    int[] plainIds;
    Optional<ChatTemplate> chatTemplate;
    Optional<String> chatTemplateSource;
    Path dir;
  }

  /** Reads and checks the files of one directory. */
  private static final class Loader {
    private final Path dir;
    private final Path tokenizerFile;
    private final Path configFile;
    /** Every token of the model's vocabulary and the added tokens: content to id. */
    private final Map<String, Integer> ids = new HashMap<>();

    Loader(Path dir) {
      this.dir = dir;
      this.tokenizerFile = dir.resolve(TOKENIZER_JSON);
      this.configFile = dir.resolve(TOKENIZER_CONFIG);
    }

    HfTokenizer load() throws IOException {
      if (!Files.isDirectory(dir)) {
        throw new ModelFormatException(dir, "not a directory");
      }
      ObjectNode json = JsonFiles.readObject(requireFile(tokenizerFile));
      ObjectNode config = JsonFiles.readObject(requireFile(configFile));
      Path mapFile = dir.resolve(SPECIAL_TOKENS_MAP);
      ObjectNode map = Files.isRegularFile(mapFile) ? JsonFiles.readObject(mapFile) : JsonFiles.newObject();

      Builder b = new Builder();
      b.dir = dir;
      int modelMaxId = modelVocab(json.get("model"));
      int maxId = modelMaxId;
      Map<String, Integer> special = new TreeMap<>();
      ArrayNode addedTokens = addedTokens(json);
      ArrayNode plainAdded = addedTokens.arrayNode();
      for (int i = 0; i < addedTokens.size(); i++) {
        JsonNode t = addedTokens.get(i);
        String where = "\"added_tokens\"[" + i + "]";
        if (!t.isObject()) {
          throw new ModelFormatException(tokenizerFile, where + " must be an object");
        }
        JsonNode id = t.get("id");
        JsonNode content = t.get("content");
        JsonNode isSpecial = t.get("special");
        if (id == null || !id.isInt() || id.intValue() < 0) {
          throw new ModelFormatException(tokenizerFile, where + ".id must be a non-negative integer, not " + id);
        }
        if (content == null || !content.isTextual() || content.textValue().isEmpty()) {
          throw new ModelFormatException(tokenizerFile, where + ".content must be a non-empty string, not " + content);
        }
        if (isSpecial != null && !isSpecial.isBoolean()) {
          throw new ModelFormatException(tokenizerFile, where + ".special must be true or false, not " + isSpecial);
        }
        ids.put(content.textValue(), id.intValue());
        maxId = Math.max(maxId, id.intValue());
        if (isSpecial != null && isSpecial.booleanValue()) {
          special.put(content.textValue(), id.intValue());
        } else {
          plainAdded.add(t);
        }
      }
      if (maxId < 0) {
        throw new ModelFormatException(tokenizerFile, "empty vocabulary (\"model.vocab\" and \"added_tokens\")");
      }
      b.vocabSize = maxId + 1;
      b.specials = byId(special);

      // Special tokens and flags of tokenizer_config.json (special_tokens_map.json fills gaps).
      Optional<String> eosToken = token(config, map, mapFile, "eos_token");
      Optional<String> padToken = token(config, map, mapFile, "pad_token");
      Optional<String> bosToken = token(config, map, mapFile, "bos_token");
      Optional<String> unkToken = token(config, map, mapFile, "unk_token");
      int tokenizerEos = -1;
      if (eosToken.isPresent()) {
        tokenizerEos = idOf(eosToken.get(), "eos_token");
      }
      int[] eos = generationEos(b.vocabSize);
      if (eos == null) {
        if (tokenizerEos < 0) {
          throw new ModelFormatException(configFile, "missing \"eos_token\" (and no " + GENERATION_CONFIG + " eos_token_id)");
        }
        eos = new int[] {tokenizerEos};
      }
      b.eosIds = eos;
      b.padId = padToken.isPresent() ? idOf(padToken.get(), "pad_token") : eos[0];
      if (unkToken.isPresent()) {
        idOf(unkToken.get(), "unk_token");
      }
      OptionalInt bos = bosToken.isPresent() ? OptionalInt.of(idOf(bosToken.get(), "bos_token")) : OptionalInt.empty();
      boolean addBos = addBos(config, json, bosToken);
      b.bosId = addBos ? bos : OptionalInt.empty();
      if (addBos && bos.isEmpty()) {
        throw new ModelFormatException(configFile, "\"add_bos_token\" is true but \"bos_token\" is not set");
      }

      // Chat template: template variables are the special tokens' strings.
      Map<String, Object> vars = new LinkedHashMap<>();
      bosToken.ifPresent(v -> vars.put("bos_token", v));
      eosToken.ifPresent(v -> vars.put("eos_token", v));
      padToken.ifPresent(v -> vars.put("pad_token", v));
      unkToken.ifPresent(v -> vars.put("unk_token", v));
      Optional<ChatTemplates.Source> source = ChatTemplates.find(dir, config, configFile);
      b.chatTemplateSource = source.map(ChatTemplates.Source::text);
      b.chatTemplate =
          source.isPresent()
              ? Optional.of(ChatTemplates.create(source.get(), Collections.unmodifiableMap(vars)))
              : Optional.empty();

      // The native tokenizers, last: everything the library reads has been checked above.
      String text = Files.readString(tokenizerFile);
      b.withSpecials = nativeTokenizer(text);
      checkAddedIds(b.withSpecials, addedTokens);
      b.plainIds = new int[0];
      if (special.isEmpty()) {
        b.plain = b.withSpecials;
      } else {
        ObjectNode copy = json.deepCopy();
        copy.set("added_tokens", plainAdded);
        b.plain = nativeTokenizer(copy.toString());
        plainIdMap(b, plainAdded, modelMaxId);
      }
      return new HfTokenizer(b);
    }

    /**
     * The library numbers added tokens itself (from the model's vocabulary size on, in file order)
     * and only warns when a file's {@code id} differs; such a file would make our ids disagree with
     * the library's, so it is rejected, as is an added token the library does not produce from its
     * own text (its id could not be checked).
     */
    private void checkAddedIds(HuggingFaceTokenizer tokenizer, ArrayNode added) throws ModelFormatException {
      for (int i = 0; i < added.size(); i++) {
        JsonNode t = added.get(i);
        String content = t.get("content").textValue();
        long got = addedTokenId(tokenizer, content);
        if (got != t.get("id").intValue()) {
          throw new ModelFormatException(
              tokenizerFile,
              "\"added_tokens\"[" + i + "] " + content + " has id " + t.get("id") + " but the tokenizers library "
                  + (got < 0 ? "does not produce it from its text" : "numbers it " + got)
                  + " (added tokens must follow the model's vocabulary in order)");
        }
      }
    }

    /**
     * With the specials gone, the library renumbers the remaining added tokens (e.g. Qwen3's
     * {@code <think>} 151667 becomes 151653): record the way back to the file's ids.
     */
    private void plainIdMap(Builder b, ArrayNode plainAdded, int modelMaxId) throws ModelFormatException {
      Map<Integer, Integer> back = new HashMap<>();
      for (JsonNode t : plainAdded) {
        String content = t.get("content").textValue();
        long got = addedTokenId(b.plain, content);
        if (got < 0 || (got != t.get("id").intValue() && got <= modelMaxId)) {
          throw new ModelFormatException(
              tokenizerFile, "added token " + content + " cannot be numbered without the special tokens");
        }
        if (got != t.get("id").intValue()) {
          back.put(Math.toIntExact(got), t.get("id").intValue());
        }
      }
      if (back.isEmpty()) {
        return;
      }
      int min = back.keySet().stream().min(Integer::compare).orElseThrow();
      int max = back.keySet().stream().max(Integer::compare).orElseThrow();
      int[] table = new int[max - min + 1];
      Arrays.fill(table, -1);
      back.forEach((from, to) -> table[from - min] = to);
      b.plainIdsFrom = min;
      b.plainIds = table;
    }

    /** The id the library gives added token {@code content} when it encodes that text, or -1. */
    private static long addedTokenId(HuggingFaceTokenizer tokenizer, String content) {
      Encoding e = tokenizer.encode(content, false, false);
      String[] tokens = e.getTokens();
      for (int j = 0; j < tokens.length; j++) {
        if (tokens[j].equals(content)) {
          return e.getIds()[j];
        }
      }
      return -1;
    }

    private Path requireFile(Path file) throws ModelFormatException {
      if (!Files.isRegularFile(file)) {
        throw new ModelFormatException(file, "missing");
      }
      return file;
    }

    /** Fills {@link #ids} from {@code model.vocab}; returns the highest id, or -1 when empty. */
    private int modelVocab(JsonNode model) throws ModelFormatException {
      if (model == null) {
        throw new ModelFormatException(tokenizerFile, "missing \"model\" (is this a Hugging Face tokenizer.json?)");
      }
      if (!model.isObject()) {
        throw new ModelFormatException(
            tokenizerFile, "\"model\" must be an object (is this a Hugging Face tokenizer.json?), not " + model);
      }
      JsonNode type = model.get("type");
      if (type != null && !type.isTextual()) {
        throw new ModelFormatException(tokenizerFile, "\"model.type\" must be a string, not " + type);
      }
      JsonNode vocab = model.get("vocab");
      int max = -1;
      if (vocab == null || vocab.isNull()) {
        throw new ModelFormatException(tokenizerFile, "missing \"model.vocab\"");
      } else if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {token: id}
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          JsonNode id = e.getValue();
          if (!id.isInt() || id.intValue() < 0) {
            throw new ModelFormatException(
                tokenizerFile, "\"model.vocab\" id of " + e.getKey() + " must be a non-negative integer, not " + id);
          }
          ids.put(e.getKey(), id.intValue());
          max = Math.max(max, id.intValue());
        }
      } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], id = index
        for (int i = 0; i < vocab.size(); i++) {
          JsonNode entry = vocab.get(i);
          if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isTextual() || !entry.get(1).isNumber()) {
            throw new ModelFormatException(tokenizerFile, "\"model.vocab\"[" + i + "] must be [piece, score], not " + entry);
          }
          ids.putIfAbsent(entry.get(0).textValue(), i);
          max = i;
        }
      } else {
        throw new ModelFormatException(
            tokenizerFile, "\"model.vocab\" must be an object or a list, not " + vocab.getNodeType().toString().toLowerCase());
      }
      return max;
    }

    private ArrayNode addedTokens(ObjectNode json) throws ModelFormatException {
      JsonNode added = json.get("added_tokens");
      if (added == null || added.isNull()) {
        return json.arrayNode();
      }
      if (!added.isArray()) {
        throw new ModelFormatException(tokenizerFile, "\"added_tokens\" must be a list, not " + added.getNodeType().toString().toLowerCase());
      }
      return (ArrayNode) added;
    }

    /** A token field: a string, {@code {"content": ...}} (an AddedToken), or null/absent. */
    private Optional<String> token(ObjectNode config, ObjectNode map, Path mapFile, String field)
        throws ModelFormatException {
      boolean inConfig = config.has(field);
      JsonNode node = inConfig ? config.get(field) : map.get(field);
      Path file = inConfig ? configFile : mapFile;
      if (node == null || node.isNull()) {
        return Optional.empty();
      }
      if (node.isTextual()) {
        if (node.textValue().isEmpty()) {
          throw new ModelFormatException(file, "\"" + field + "\" must not be empty");
        }
        return Optional.of(node.textValue());
      }
      JsonNode content = node.isObject() ? node.get("content") : null;
      if (content != null && content.isTextual() && !content.textValue().isEmpty()) {
        return Optional.of(content.textValue());
      }
      throw new ModelFormatException(
          file, "\"" + field + "\" must be a string or an object with a string \"content\", not " + node);
    }

    private int idOf(String token, String field) throws ModelFormatException {
      Integer id = ids.get(token);
      if (id == null) {
        throw new ModelFormatException(
            configFile, "\"" + field + "\" " + token + " is not in the vocabulary of " + TOKENIZER_JSON);
      }
      return id;
    }

    /**
     * {@code add_bos_token} when set; otherwise whether {@code tokenizer.json}'s post-processor (a
     * TemplateProcessing, e.g. Llama 3's) starts single sequences with {@code bos_token}.
     */
    private boolean addBos(ObjectNode config, ObjectNode json, Optional<String> bosToken) throws ModelFormatException {
      JsonNode flag = config.get("add_bos_token");
      if (flag != null && !flag.isNull()) {
        if (!flag.isBoolean()) {
          throw new ModelFormatException(configFile, "\"add_bos_token\" must be true or false, not " + flag);
        }
        return flag.booleanValue();
      }
      if (bosToken.isEmpty()) {
        return false;
      }
      JsonNode post = json.get("post_processor");
      if (post == null || !post.isObject()) {
        return false;
      }
      JsonNode single = post.get("single");
      if ("Sequence".equals(post.path("type").asText()) && post.path("processors").isArray()) {
        for (JsonNode p : post.get("processors")) {
          if ("TemplateProcessing".equals(p.path("type").asText())) {
            single = p.get("single");
          }
        }
      } else if (!"TemplateProcessing".equals(post.path("type").asText())) {
        return false;
      }
      return single != null && single.isArray() && !single.isEmpty()
          && bosToken.get().equals(single.get(0).path("SpecialToken").path("id").asText(null));
    }

    /** {@code generation_config.json}'s {@code eos_token_id}, or null when absent. */
    private int[] generationEos(int vocabSize) throws IOException {
      Path file = dir.resolve(GENERATION_CONFIG);
      if (!Files.isRegularFile(file)) {
        return null;
      }
      JsonNode node = JsonFiles.readObject(file).get("eos_token_id");
      if (node == null || node.isNull()) {
        return null;
      }
      int[] out;
      if (node.isInt()) {
        out = new int[] {node.intValue()};
      } else if (node.isArray() && !node.isEmpty()) {
        out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
          if (!node.get(i).isInt()) {
            throw new ModelFormatException(file, "\"eos_token_id\" must be an integer or a non-empty list of integers, not " + node);
          }
          out[i] = node.get(i).intValue();
        }
      } else {
        throw new ModelFormatException(file, "\"eos_token_id\" must be an integer or a non-empty list of integers, not " + node);
      }
      for (int id : out) {
        if (id < 0 || id >= vocabSize) {
          throw new ModelFormatException(file, "\"eos_token_id\" " + id + " is outside the vocabulary of " + vocabSize);
        }
      }
      return out;
    }

    private HuggingFaceTokenizer nativeTokenizer(String json) throws ModelFormatException {
      try (InputStream in = new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))) {
        return HuggingFaceTokenizer.newInstance(in, OPTIONS);
      } catch (IOException | RuntimeException e) {
        throw new ModelFormatException(tokenizerFile, "the tokenizers library rejects it: " + e.getMessage(), e);
      }
    }
  }

  private static Map<String, Integer> byId(Map<String, Integer> byName) {
    Map<String, Integer> out = new LinkedHashMap<>();
    byName.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> out.put(e.getKey(), e.getValue()));
    return Collections.unmodifiableMap(out);
  }
}
