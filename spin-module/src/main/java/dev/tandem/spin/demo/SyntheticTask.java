package dev.tandem.spin.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Tasks with exact answers, generated from a seed, for measuring what self-play does to a small
 * byte-level model: greedy exact match on held-out prompts is unambiguous.
 */
public enum SyntheticTask {
  /** {@code "47+85="} -> {@code "132"}: two numbers from 0 to 99 (10,000 distinct prompts). */
  ADDITION {
    @Override
    String[] sample(Random r) {
      int a = r.nextInt(100);
      int b = r.nextInt(100);
      return new String[] {a + "+" + b + "=", Integer.toString(a + b)};
    }
  },

  /** {@code "reverse: kqzmt"} -> {@code "tmzqk"}: 4 to 6 random lower-case letters. */
  REVERSAL {
    @Override
    String[] sample(Random r) {
      int n = 4 + r.nextInt(3);
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < n; i++) {
        s.append((char) ('a' + r.nextInt(26)));
      }
      return new String[] {"reverse: " + s, new StringBuilder(s).reverse().toString()};
    }
  };

  /** One {prompt, completion}. */
  abstract String[] sample(Random r);

  /** The lower-case name, e.g. {@code addition}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a task name, case-insensitively. */
  public static SyntheticTask parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown task '" + s + "', known: addition, reversal");
    }
  }

  /**
   * Distinct prompts with their answers, from {@code seed}: the first {@code train} for training,
   * the next {@code heldOut} for evaluation (no prompt in both).
   */
  public Split generate(long seed, int train, int heldOut) {
    Random r = new Random(seed);
    Map<String, String> all = new LinkedHashMap<>();
    int tries = 0;
    while (all.size() < train + heldOut) {
      String[] s = sample(r);
      all.putIfAbsent(s[0], s[1]);
      if (++tries > 100 * (train + heldOut)) {
        throw new IllegalArgumentException(label() + " has fewer than " + (train + heldOut) + " distinct prompts");
      }
    }
    List<String[]> rows = new ArrayList<>();
    all.forEach((p, c) -> rows.add(new String[] {p, c}));
    return new Split(rows.subList(0, train), rows.subList(train, rows.size()));
  }

  /** Training and held-out {prompt, completion} rows. */
  public record Split(List<String[]> train, List<String[]> heldOut) {
    /** Writes both as {@code {"prompt", "completion"}} JSONL. */
    public void write(Path trainFile, Path heldOutFile) throws IOException {
      writeJsonl(trainFile, train);
      writeJsonl(heldOutFile, heldOut);
    }
  }

  static void writeJsonl(Path file, List<String[]> rows) throws IOException {
    ObjectMapper json = new ObjectMapper();
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      ObjectNode n = json.createObjectNode();
      n.put("prompt", row[0]);
      n.put("completion", row[1]);
      try {
        sb.append(json.writeValueAsString(n)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    AtomicFiles.writeString(file, sb.toString());
  }
}
