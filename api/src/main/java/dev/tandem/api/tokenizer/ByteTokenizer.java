package dev.tandem.api.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level tokenizer: ids 0..255 are the bytes of the UTF-8 encoding, followed by special
 * tokens: {@code <|endoftext|>}=256 (end of sequence), {@code <|pad|>}=257, {@code <|user|>}=258,
 * {@code <|assistant|>}=259, {@code <|system|>}=260, then any extra specials in the order given.
 *
 * <p>{@link #encode} never produces special ids: the text {@code "<|user|>"} encodes to its eight
 * bytes, so data cannot inject control tokens. {@link #decode} drops special ids and decodes bytes
 * as UTF-8, replacing malformed sequences with U+FFFD; it never throws for ids in range.
 */
public final class ByteTokenizer implements Tokenizer {
  /** End of sequence, id 256. */
  public static final String ENDOFTEXT = "<|endoftext|>";
  /** Padding, id 257. */
  public static final String PAD = "<|pad|>";
  /** Starts a user turn, id 258. */
  public static final String USER = "<|user|>";
  /** Starts an assistant turn, id 259. */
  public static final String ASSISTANT = "<|assistant|>";
  /** Starts a system turn, id 260. */
  public static final String SYSTEM = "<|system|>";

  /** The specials every byte tokenizer has, in id order from 256. */
  public static final List<String> STANDARD_SPECIALS = List.of(ENDOFTEXT, PAD, USER, ASSISTANT, SYSTEM);

  /** Number of byte ids. */
  public static final int BYTES = 256;

  private final Map<String, Integer> specials;
  private final List<String> names;

  /** The standard tokenizer, vocabulary 261. */
  public ByteTokenizer() {
    this(List.of());
  }

  /**
   * The standard tokenizer with {@code extraSpecials} appended from id 261 in order.
   *
   * @throws IllegalArgumentException for a blank or duplicate name
   */
  public ByteTokenizer(List<String> extraSpecials) {
    List<String> all = new ArrayList<>(STANDARD_SPECIALS);
    all.addAll(extraSpecials);
    Map<String, Integer> map = new LinkedHashMap<>();
    for (String name : all) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("special token names must not be blank");
      }
      if (map.putIfAbsent(name, BYTES + map.size()) != null) {
        throw new IllegalArgumentException("duplicate special token " + name);
      }
    }
    this.specials = Collections.unmodifiableMap(map);
    this.names = List.copyOf(all);
  }

  /** The specials after the standard five, in id order. */
  public List<String> extraSpecials() {
    return names.subList(STANDARD_SPECIALS.size(), names.size());
  }

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException for an id outside {@code [0, vocabSize)}
   */
  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
    for (int id : ids) {
      if (id < 0 || id >= vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + vocabSize());
      }
      if (id < BYTES) {
        bytes.write(id);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Whether {@code id} is a special token. */
  public boolean isSpecial(int id) {
    return id >= BYTES && id < vocabSize();
  }

  /** The name of special token {@code id}. */
  public String specialName(int id) {
    if (!isSpecial(id)) {
      throw new IllegalArgumentException("id " + id + " is not a special token");
    }
    return names.get(id - BYTES);
  }

  @Override
  public int vocabSize() {
    return BYTES + names.size();
  }

  /** Specials by name, in id order. */
  @Override
  public Map<String, Integer> specialTokens() {
    return specials;
  }

  @Override
  public int eosId() {
    return BYTES;
  }

  @Override
  public int padId() {
    return BYTES + 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteTokenizer b && names.equals(b.names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }

  @Override
  public String toString() {
    return "ByteTokenizer(vocab " + vocabSize() + ", specials " + names + ")";
  }
}
