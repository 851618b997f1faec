package dev.tandem.api.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** This process's peak resident memory, and the host's memory bandwidth measured by copying arrays. */
public final class HostMemory {
  private HostMemory() {}

  /**
   * Whether {@code tunables} (a {@code GLIBC_TUNABLES} value, or null) asks glibc's malloc for huge
   * pages: {@code glibc.malloc.hugetlb=1} (transparent huge pages, through {@code madvise}) or
   * {@code 2} (reserved hugetlbfs pages); the last setting counts. It says what was asked, not what
   * happened: glibc before 2.35 ignores the tunable.
   */
  public static boolean hugePagesRequested(String tunables) {
    if (tunables == null) {
      return false;
    }
    boolean on = false;
    for (String t : tunables.split(":")) {
      if (t.startsWith("glibc.malloc.hugetlb=")) {
        on = !t.equals("glibc.malloc.hugetlb=0");
      }
    }
    return on;
  }

  /**
   * One line of advice for an engine to log when this process pays full price for fresh memory: on
   * Linux, where the kernel gives transparent huge pages only on request ({@code madvise} in {@code
   * /sys/kernel/mm/transparent_hugepage/enabled}) and this process's glibc was not told to ask
   * ({@code GLIBC_TUNABLES} without {@code glibc.malloc.hugetlb=1}, which the {@code tandem}
   * launcher sets). Empty where there is nothing to advise.
   */
  public static java.util.Optional<String> hugePagesAdvice() {
    if (hugePagesRequested(System.getenv("GLIBC_TUNABLES"))) {
      return java.util.Optional.empty();
    }
    try {
      String thp = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
      if (!thp.contains("[madvise]")) {
        return java.util.Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("large tensors get fresh 4 KiB pages one fault at a time: start the JVM with "
        + "GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in its environment (the tandem launcher does) for transparent huge pages; "
        + "(glibc 2.35 or later); a training step at SmolLM2-135M's shape ran 3.9x faster on DJL and 1.6x on TensorFlow with it on the development machine");
  }

  /** Peak resident set size in bytes ({@code VmHWM} of {@code /proc/self/status}), or -1 where absent. */
  public static long peakRssBytes() {
    return statusBytes("VmHWM:");
  }

  /** Resident set size now in bytes ({@code VmRSS} of {@code /proc/self/status}), or -1 where absent. */
  public static long rssBytes() {
    return statusBytes("VmRSS:");
  }

  /**
   * Resets {@link #peakRssBytes()} to the resident size now (Linux 4.0+: {@code 5} written to {@code
   * /proc/self/clear_refs}), so that a later reading is the peak of what ran in between. False where
   * the kernel does not allow it; the peak then stays the process's.
   */
  public static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static long statusBytes(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Copy bandwidth in bytes per second: {@code threads} threads each copying their own 64 MiB float
   * array (far beyond the caches) with {@link System#arraycopy}, best of five rounds, counting the
   * bytes read plus the bytes written (2 x 64 MiB per copy).
   */
  public static double copyBandwidth(int threads) {
    int n = 16 << 20;
    int t = Math.max(1, threads);
    List<float[][]> arrays = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      float[] src = new float[n];
      java.util.Arrays.fill(src, 1f);
      arrays.add(new float[][] {src, new float[n]});
    }
    ExecutorService pool = Executors.newFixedThreadPool(t);
    try {
      double best = 0;
      for (int round = 0; round < 5; round++) {
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (float[][] a : arrays) {
          fs.add(pool.submit(() -> {
            System.arraycopy(a[0], 0, a[1], 0, n);
            System.arraycopy(a[1], 0, a[0], 0, n);
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        best = Math.max(best, 2.0 * 2.0 * 4.0 * n * t / s);
      }
      return best;
    } catch (Exception e) {
      throw new IllegalStateException("bandwidth probe failed", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
