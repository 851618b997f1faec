package dev.tandem.calm.kv;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Key-value arithmetic (CALM, section 4.1), small: random lower-case string keys, each mapped to a
 * digit 0-9, and three tasks as prompt/completion pairs.
 *
 * <ul>
 *   <li><b>KV substitution</b> (what the augmenting model m_A learns, over all keys): {@code "val
 *       qzt+bfa"} -> {@code "7+3"}.
 *   <li><b>numeric arithmetic</b> (what the anchor m_B learns): {@code "sum 7+3"} -> {@code
 *       "7+3=10"}: the answer writes the expression, then its value.
 *   <li><b>KV arithmetic</b> (what neither knows, and the composition trains on for 20% of the keys
 *       only): {@code "sum qzt+bfa"} -> {@code "7+3=10"}.
 * </ul>
 *
 * Answers write the operands out before the value (a scratchpad): a model of a few layers cannot
 * look up keys and add them in one position, and the scratchpad is where the composition's two
 * halves meet: the anchor's arithmetic reads digits that the augmenting model's knowledge put there.
 * The training sets of the base models ({@link #substitutionTraining}, {@link #numericTraining})
 * are broader than their evaluation tasks in ways that never show either model the other's
 * knowledge; see there. Everything is deterministic in the seed.
 */
public final class KvArithmetic {
  /** Prompt prefix of KV substitution. */
  public static final String SUBSTITUTE = "val ";

  /** Prompt prefix of the arithmetic tasks. */
  public static final String EVALUATE = "sum ";

  /** How often an operand of m_A's training expressions is a plain digit. */
  public static final double DIGIT_OPERANDS = 0.2;

  /**
   * One example.
   *
   * @param prompt the prompt text
   * @param completion the expected completion
   */
  public record Item(String prompt, String completion) {}

  /**
   * The shape of the experiment.
   *
   * @param keys number of keys
   * @param keyLength characters per key
   * @param minTerms fewest operands in an expression (>= 2)
   * @param maxTerms most operands in an expression
   * @param composeFraction the fraction of keys the composition trains on (the paper: 0.2)
   * @param seed everything derives from it
   */
  public record Settings(int keys, int keyLength, int minTerms, int maxTerms, double composeFraction, long seed) {
    public Settings {
      if (keys < 10) {
        throw new IllegalArgumentException("at least 10 keys are needed (one per value), not " + keys);
      }
      if (keyLength < 2 || minTerms < 2 || maxTerms < minTerms) {
        throw new IllegalArgumentException("need keyLength >= 2 and 2 <= minTerms <= maxTerms");
      }
      if (!(composeFraction > 0 && composeFraction < 1)) {
        throw new IllegalArgumentException("composeFraction must be in (0, 1), not " + composeFraction);
      }
    }

    /** 3-letter keys, {@code terms} operands, 20% of the keys for the composition. */
    public static Settings of(int keys, int terms, long seed) {
      return new Settings(keys, 3, terms, terms, 0.2, seed);
    }
  }

  private final Settings settings;
  private final Map<String, Integer> values = new LinkedHashMap<>();
  private final List<String> composeKeys;
  private final List<String> heldOutKeys;

  public KvArithmetic(Settings settings) {
    this.settings = settings;
    Random rng = new Random(settings.seed());
    Set<String> keys = new LinkedHashSet<>();
    long space = (long) Math.pow(26, settings.keyLength());
    if (space < settings.keys() * 2L) {
      throw new IllegalArgumentException(settings.keys() + " keys of " + settings.keyLength() + " letters are too many");
    }
    while (keys.size() < settings.keys()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < settings.keyLength(); i++) {
        sb.append((char) ('a' + rng.nextInt(26)));
      }
      keys.add(sb.toString());
    }
    List<String> order = new ArrayList<>(keys);
    Collections.shuffle(order, rng);
    // values 0-9 in turn, so that every value has keys in both splits
    for (int i = 0; i < order.size(); i++) {
      values.put(order.get(i), i % 10);
    }
    int compose = Math.max(10, (int) Math.round(settings.composeFraction() * order.size()));
    if (compose >= order.size()) {
      throw new IllegalArgumentException("no keys left to hold out");
    }
    this.composeKeys = List.copyOf(order.subList(0, compose));
    this.heldOutKeys = List.copyOf(order.subList(compose, order.size()));
  }

  public Settings settings() {
    return settings;
  }

  /** Every key with its value. */
  public Map<String, Integer> values() {
    return Collections.unmodifiableMap(values);
  }

  /** All keys. */
  public List<String> keys() {
    return List.copyOf(values.keySet());
  }

  /** The keys the composition trains on. */
  public List<String> composeKeys() {
    return composeKeys;
  }

  /** The keys it is evaluated on (never in its training data): {@link #validationKeys()} and {@link #testKeys()}. */
  public List<String> heldOutKeys() {
    return heldOutKeys;
  }

  /**
   * The validation split: a quarter of the held-out keys (at least 10), for choices (steps, learning
   * rates, switches); never reported as the result.
   */
  public List<String> validationKeys() {
    return heldOutKeys.subList(0, validationSize());
  }

  /** The test split: the held-out keys not in {@link #validationKeys()}; only reported. */
  public List<String> testKeys() {
    return heldOutKeys.subList(validationSize(), heldOutKeys.size());
  }

  private int validationSize() {
    int n = Math.max(10, heldOutKeys.size() / 4);
    if (n >= heldOutKeys.size()) {
      throw new IllegalArgumentException(heldOutKeys.size() + " held-out keys are too few to split into validation and test (need more than 10)");
    }
    return n;
  }

  /** {@code n} KV substitution examples over {@code keys} (evaluation: keys only). */
  public List<Item> substitution(int n, List<String> keys, long seed) {
    return substitution(n, keys, 0, seed);
  }

  /**
   * m_A's training data: KV substitution over all keys, where an operand is a plain digit with
   * probability {@value #DIGIT_OPERANDS} (numbers stand for themselves): {@code "val qzt+3"} ->
   * {@code "7+3"}.
   */
  public List<Item> substitutionTraining(int n, long seed) {
    return substitution(n, keys(), DIGIT_OPERANDS, seed);
  }

  private List<Item> substitution(int n, List<String> keys, double digits, long seed) {
    Random rng = new Random(seed);
    List<Item> out = new ArrayList<>(n);
    List<Object> symbols = new ArrayList<>(keys);
    for (int d = 0; d < 10; d++) {
      symbols.add(d);
    }
    List<Integer> vals = values(keys);
    for (int d = 0; d < 10; d++) {
      vals.add(d);
    }
    for (int i = 0; i < n; i++) {
      Expr e = expr(rng, keys.size());
      for (int t = 0; t < e.terms.length; t++) {
        if (rng.nextDouble() < digits) {
          e.terms[t] = keys.size() + rng.nextInt(10);
        }
      }
      out.add(new Item(SUBSTITUTE + e.render(symbols), e.render(vals)));
    }
    return out;
  }

  /** {@code n} numeric arithmetic examples: {@code "sum 7+3"} -> {@code "7+3=10"}. */
  public List<Item> numeric(int n, long seed) {
    Random rng = new Random(seed);
    List<Item> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Expr e = expr(rng, 10);
      out.add(new Item(EVALUATE + e.render(digits()), answer(e, digits())));
    }
    return out;
  }

  /**
   * m_B's training data, numeric only: half {@link #numeric} examples; a quarter {@code "val
   * 7+3"} -> {@code "7+3"} (numbers restated); a quarter whose prompt is unrelated random text and
   * whose answer is an arbitrary expression and its value ({@code "sum kqf-ab"} -> {@code
   * "4-9=-5"}), so that the value is always computed from the digits written in the answer,
   * whatever the prompt holds. (A model of a few layers trained on one prompt format computes from
   * the prompt: with keys there its arithmetic broke down, 95% -> 3% when measured.)
   */
  public List<Item> numericTraining(int n, long seed) {
    return numericTraining(n, seed, true);
  }

  /**
   * As {@link #numericTraining(int, long)}; without {@code distractors} the quarter of random-text
   * prompts becomes plain {@link #numeric} examples (m_B then sees only the tasks it is meant to
   * know, as in the paper).
   */
  public List<Item> numericTraining(int n, long seed, boolean distractors) {
    Random rng = new Random(seed);
    List<Item> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Expr e = expr(rng, 10);
      double u = rng.nextDouble();
      if (u < 0.5) {
        out.add(new Item(EVALUATE + e.render(digits()), answer(e, digits())));
      } else if (u < 0.75) {
        out.add(new Item(SUBSTITUTE + e.render(digits()), e.render(digits())));
      } else if (distractors) {
        out.add(new Item(EVALUATE + noise(rng), answer(e, digits())));
      } else {
        noise(rng); // the same draws either way: the other examples stay the same
        out.add(new Item(EVALUATE + e.render(digits()), answer(e, digits())));
      }
    }
    return out;
  }

  /** {@code n} KV arithmetic examples over {@code keys}. */
  public List<Item> kvArithmetic(int n, List<String> keys, long seed) {
    Random rng = new Random(seed);
    List<Item> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Expr e = expr(rng, keys.size());
      out.add(new Item(EVALUATE + e.render(keys), answer(e, values(keys))));
    }
    return out;
  }

  /** Random lower-case words of 1-5 letters joined by + or -: text m_B cannot read. */
  private static String noise(Random rng) {
    StringBuilder sb = new StringBuilder();
    int words = 1 + rng.nextInt(4);
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        sb.append(rng.nextBoolean() ? '+' : '-');
      }
      int len = 1 + rng.nextInt(5);
      for (int c = 0; c < len; c++) {
        sb.append((char) ('a' + rng.nextInt(26)));
      }
    }
    return sb.toString();
  }

  /** Writes {@code {"prompt", "completion"}} JSONL. */
  public static Path write(Path file, List<Item> items) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Item it : items) {
        Map<String, String> line = new LinkedHashMap<>();
        line.put("prompt", it.prompt());
        line.put("completion", it.completion());
        w.write(json.writeValueAsString(line));
        w.write('\n');
      }
    }
    return file;
  }

  // ---- internals --------------------------------------------------------------------------------

  /** Operand indices into a symbol list and the operators between them. */
  private record Expr(int[] terms, boolean[] plus) {
    String render(List<?> symbols) {
      StringBuilder sb = new StringBuilder().append(symbols.get(terms[0]));
      for (int i = 1; i < terms.length; i++) {
        sb.append(plus[i] ? '+' : '-').append(symbols.get(terms[i]));
      }
      return sb.toString();
    }
  }

  private Expr expr(Random rng, int symbols) {
    int n = settings.minTerms() + rng.nextInt(settings.maxTerms() - settings.minTerms() + 1);
    int[] terms = new int[n];
    boolean[] plus = new boolean[n];
    for (int i = 0; i < n; i++) {
      terms[i] = rng.nextInt(symbols);
      plus[i] = i == 0 || rng.nextBoolean();
    }
    return new Expr(terms, plus);
  }

  /** {@code "7+3-5=5"}: the operands in digits, then the value. */
  private static String answer(Expr e, List<Integer> vals) {
    int r = vals.get(e.terms[0]);
    for (int i = 1; i < e.terms.length; i++) {
      r += e.plus[i] ? vals.get(e.terms[i]) : -vals.get(e.terms[i]);
    }
    return e.render(vals) + "=" + r;
  }

  private List<Integer> values(List<String> keys) {
    List<Integer> v = new ArrayList<>(keys.size());
    for (String k : keys) {
      Integer x = values.get(k);
      if (x == null) {
        throw new IllegalArgumentException("unknown key " + k);
      }
      v.add(x);
    }
    return v;
  }

  private static List<Integer> digits() {
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      d.add(i);
    }
    return d;
  }
}
