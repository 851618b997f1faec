package dev.tandem.api.conformance;

import dev.tandem.api.optim.AdamW;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.optim.Sgd;
import java.util.HashMap;
import java.util.Map;

/**
 * Plain-Java, double-precision versions of the update formulas of {@link AdamW}, {@link RmsProp}
 * and {@link Sgd}, with {@link dev.tandem.api.optim.UpdateRule}'s global-norm clipping.
 */
final class OptimizerReference {
  private final Optimizer optimizer;
  private final Map<String, double[]> m = new HashMap<>();
  private final Map<String, double[]> v = new HashMap<>();
  private long step;

  OptimizerReference(Optimizer optimizer) {
    this.optimizer = optimizer;
  }

  /** The global L2 norm of all gradients. */
  static double globalNorm(Map<String, double[]> grads) {
    double s = 0;
    for (double[] g : grads.values()) {
      for (double x : g) {
        s += x * x;
      }
    }
    return Math.sqrt(s);
  }

  /**
   * Updates {@code params} (by name; {@code ranks} gives each one's rank) in place.
   *
   * @return the gradient norm before clipping
   */
  double step(
      Map<String, double[]> params,
      Map<String, Integer> ranks,
      Map<String, double[]> grads,
      double lr,
      double maxGradNorm) {
    step++;
    double norm = globalNorm(grads);
    double scale = maxGradNorm > 0 ? 1 / Math.max(1, (norm + 1e-6) / maxGradNorm) : 1;
    for (Map.Entry<String, double[]> e : params.entrySet()) {
      String name = e.getKey();
      double[] p = e.getValue();
      double[] g = grads.get(name).clone();
      for (int i = 0; i < g.length; i++) {
        g[i] *= scale;
      }
      double[] mm = m.computeIfAbsent(name, k -> new double[p.length]);
      double[] vv = v.computeIfAbsent(name, k -> new double[p.length]);
      if (optimizer instanceof AdamW a) {
        double c1 = 1 - Math.pow(a.beta1(), step);
        double c2 = 1 - Math.pow(a.beta2(), step);
        double stepSize = lr * Math.sqrt(c2) / c1;
        boolean decay = a.weightDecay() > 0 && ranks.get(name) >= 2;
        for (int i = 0; i < p.length; i++) {
          mm[i] = a.beta1() * mm[i] + (1 - a.beta1()) * g[i];
          vv[i] = a.beta2() * vv[i] + (1 - a.beta2()) * g[i] * g[i];
          double next = p[i] - mm[i] / (Math.sqrt(vv[i]) + a.eps()) * stepSize;
          if (decay) {
            next -= p[i] * lr * a.weightDecay();
          }
          p[i] = next;
        }
      } else if (optimizer instanceof RmsProp r) {
        for (int i = 0; i < p.length; i++) {
          double gi = r.weightDecay() > 0 ? g[i] + r.weightDecay() * p[i] : g[i];
          vv[i] = r.alpha() * vv[i] + (1 - r.alpha()) * gi * gi;
          p[i] -= gi / (Math.sqrt(vv[i]) + r.eps()) * lr;
        }
      } else if (optimizer instanceof Sgd) {
        for (int i = 0; i < p.length; i++) {
          p[i] -= g[i] * lr;
        }
      } else {
        throw new IllegalArgumentException("no reference for " + optimizer.name());
      }
    }
    return norm;
  }
}
