package dev.tandem.calm.demo;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learning-rate grid of the compositions and baselines: on the first seed every model trains at
 * its default rate times each factor of {@code --lr-factors} and keeps the rate (and checkpoint) with
 * the best validation accuracy on KV arithmetic; the later seeds train at that rate only.
 */
final class Tuning {
  private final List<Double> factors;
  private final Map<String, Float> chosen = new LinkedHashMap<>();

  /**
   * {@code factors}: comma-separated multipliers of each model's default rate; the first wins ties
   * on validation (1 by default).
   */
  Tuning(String factors) {
    List<Double> f = new ArrayList<>();
    for (String s : factors.split(",")) {
      String t = s.strip();
      double v;
      try {
        v = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("lr-factors: '" + t + "' is not a number (expected e.g. 1,0.3,3)");
      }
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("lr-factors: " + t + " must be > 0");
      }
      for (double other : f) {
        if (format((float) other).equals(format((float) v))) {
          throw new IllegalArgumentException("lr-factors: " + t + " is listed twice (to 3 significant digits)");
        }
      }
      f.add(v);
    }
    this.factors = List.copyOf(f);
  }

  /** The rates to try for {@code model}: the one chosen on the first seed, else the grid around {@code base}. */
  List<Float> rates(String model, float base) {
    Float c = chosen.get(model);
    if (c != null) {
      return List.of(c);
    }
    List<Float> r = new ArrayList<>();
    for (double f : factors) {
      r.add(Float.parseFloat(format((float) (base * f))));
    }
    return r;
  }

  /** Records the rate kept for {@code model} (the first call per model counts). */
  void choose(String model, float lr) {
    chosen.putIfAbsent(model, lr);
  }

  /** A rate in 3 significant digits, as directory names and the report write it (3e-3 times 1/3 is 0.001). */
  static String format(float lr) {
    return new BigDecimal(lr).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
