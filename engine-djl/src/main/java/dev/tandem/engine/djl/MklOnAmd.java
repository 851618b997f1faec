package dev.tandem.engine.djl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets libtorch's oneMKL use its fast GEMM kernels on AMD CPUs. oneMKL chooses kernels by CPU
 * vendor as well as by instruction set, and on AMD its sgemm ran at a third of OpenBLAS's speed on
 * the same machine (training at {@code tandem bench --shape tiny} 0.84x the PyTorch peer; see
 * benchmarks/README.md). A tiny library ({@code src/main/native/tandem_mkl_amd.c}) answers oneMKL's
 * vendor question; it must be in the global symbol scope before libtorch is loaded, so {@link
 * #apply} runs before DJL loads its engine. The kernels still follow the instruction set the CPU
 * reports.
 *
 * <p>Applied on Linux x86_64 when {@code /proc/cpuinfo} names {@code AuthenticAMD}; off with the
 * system property {@value #PROPERTY}{@code =false} or the environment variable {@value #ENV}{@code
 * =0}. Any failure (another libc, a read-only temporary directory) leaves libtorch as it is, with a
 * warning.
 */
final class MklOnAmd {
  /** The system property that turns this off ({@code false}). */
  static final String PROPERTY = "tandem.djl.mklOnAmd";
  /** The environment variable that turns this off ({@code 0}). */
  static final String ENV = "TANDEM_DJL_MKL_ON_AMD";

  private static final Logger LOG = LoggerFactory.getLogger(MklOnAmd.class);
  private static final String RESOURCE = "native/linux-x86_64/libtandem_mkl_amd.so";

  /** What {@link #apply} did: the reason when it did nothing. */
  private static String state;

  private MklOnAmd() {}

  /** Loads the library once if this machine wants it; returns what happened, for the log. */
  static synchronized String apply() {
    if (state == null) {
      state = load();
      LOG.debug("oneMKL on AMD: {}", state);
    }
    return state;
  }

  /** Whether the library is loaded and global (then oneMKL's vendor checks go through it). */
  static synchronized boolean active() {
    return "active".equals(state);
  }

  /** How many times oneMKL asked this library for the vendor (0 when it is not loaded). */
  static long vendorChecks() {
    return active() ? calls() : 0;
  }

  private static String load() {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY)) || "0".equals(System.getenv(ENV))) {
      return "off (" + PROPERTY + "=false or " + ENV + "=0)";
    }
    if (!"linux-x86_64".equals(DjlEngineProvider.platform())) {
      return "not needed on " + DjlEngineProvider.platform();
    }
    if (!amd()) {
      return "not needed: not an AMD CPU";
    }
    try (InputStream in = MklOnAmd.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "missing resource " + RESOURCE;
      }
      Path dir = Files.createTempDirectory("tandem-mkl");
      Path lib = dir.resolve("libtandem_mkl_amd.so");
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      try {
        System.load(lib.toString());
      } finally {
        // the loaded mapping stays valid once the file is gone
        Files.deleteIfExists(lib);
        Files.deleteIfExists(dir);
      }
      if (!promoted()) {
        LOG.warn("oneMKL on AMD: the library loaded but could not make itself global; "
            + "libtorch's matrix products keep oneMKL's slower generic kernels");
        return "loaded, not global";
      }
      return "active";
    } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
      LOG.warn("oneMKL on AMD: could not load {} ({}); libtorch's matrix products keep oneMKL's"
          + " slower generic kernels", RESOURCE, e.toString());
      return "failed: " + e;
    }
  }

  private static boolean amd() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("vendor_id"))
          .findFirst()
          .map(l -> l.toLowerCase(Locale.ROOT).contains("authenticamd"))
          .orElse(false);
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  private static native boolean promoted();

  private static native long calls();
}
