package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineUnavailableException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * The ServiceLoader entry of the TensorFlow engine ({@code --engine tensorflow}). Construction and
 * {@link #availability()} only look for classes and resources; {@link #create} loads the native
 * library (unpacking it on first use, see {@code TANDEM_TF_CACHE}).
 */
public final class TfEngineProvider implements EngineProvider {
  private static final Logger LOG = LoggerFactory.getLogger(TfEngineProvider.class);
  private static final java.util.concurrent.atomic.AtomicBoolean ADVISED = new java.util.concurrent.atomic.AtomicBoolean();

  /** The engine's name. */
  public static final String NAME = "tensorflow";

  /** System property that turns XLA compilation off when {@code false}. */
  public static final String XLA_PROPERTY = "tandem.tf.xla";

  /** Environment variable that turns XLA compilation off when {@code false}. */
  public static final String XLA_ENV = "TANDEM_TF_XLA";

  /** System property that turns TensorFlow's graph optimizer (Grappler) back on when {@code true}. */
  public static final String GRAPPLER_PROPERTY = "tandem.tf.grappler";

  /** Environment variable that turns TensorFlow's graph optimizer (Grappler) back on when {@code true}. */
  public static final String GRAPPLER_ENV = "TANDEM_TF_GRAPPLER";

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public TfEngineProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /** After DJL (10): TensorFlow is chosen by default only where DJL is unavailable. */
  @Override
  public int rank() {
    return 20;
  }

  @Override
  public Availability availability() {
    try {
      String platform = TfNatives.unsupportedPlatform();
      if (platform != null) {
        return Availability.unavailable(platform);
      }
      try {
        Class.forName("org.tensorflow.Graph", false, TfEngineProvider.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        return Availability.unavailable(
            "org.tensorflow:tensorflow-core-api:1.1.0 is not on the class or module path");
      }
      if (TfNatives.nativeResource() == null) {
        return Availability.unavailable(
            "TensorFlow's native library is missing: put org.tensorflow:tensorflow-core-native:1.1.0"
                + " with classifier linux-x86_64 on the class path (on the module path nothing"
                + " requires it, so it would not be resolved)");
      }
      return Availability.available(List.of("cpu"));
    } catch (RuntimeException e) {
      return Availability.unavailable("cannot check for TensorFlow: " + e);
    }
  }

  @Override
  public Engine create(EngineOptions options) {
    return create(options, xlaEnabled(), grapplerEnabled());
  }

  /** As {@link #create(EngineOptions)}, with XLA compilation on or off. */
  Engine create(EngineOptions options, boolean xla) {
    return create(options, xla, grapplerEnabled());
  }

  /** As {@link #create(EngineOptions)}, with XLA compilation and Grappler on or off. */
  Engine create(EngineOptions options, boolean xla, boolean grappler) {
    Availability a = availability();
    if (!a.available()) {
      throw new EngineUnavailableException("engine '" + NAME + "' is unavailable: " + a.reason());
    }
    String cpuOnly = TfNatives.cpuOnlyJar();
    if (options.device().equals("gpu") && cpuOnly != null) {
      // decided before loading (and on first use unpacking) the native library
      throw new EngineUnavailableException(
          "device gpu was requested but TensorFlow has no GPU support here: the native jar on the class path ("
              + cpuOnly + ") is the CPU-only build; use classifier linux-x86_64-gpu with CUDA, or --device cpu");
    }
    TfNatives.load();
    boolean gpu = !options.device().equals("cpu") && cpuOnly == null && TfNatives.hasGpu();
    if (options.device().equals("gpu") && !gpu) {
      throw new EngineUnavailableException(
          "device gpu was requested but TensorFlow reports no GPU (the linux-x86_64 native build is"
              + " CPU-only; use classifier linux-x86_64-gpu with CUDA, or --device cpu)");
    }
    LOG.debug("TensorFlow {}: device {}, threads {}, XLA {}, Grappler {}", org.tensorflow.TensorFlow.version(),
        gpu ? "gpu:0" : "cpu", options.threads() == 0 ? "default" : options.threads(), xla, grappler);
    if (ADVISED.compareAndSet(false, true)) {
      dev.tandem.api.bench.HostMemory.hugePagesAdvice().ifPresent(advice -> LOG.info("TensorFlow engine: {}", advice));
    }
    return new TfEngine(gpu ? "gpu:0" : "cpu", config(options, gpu, xla, grappler), xla);
  }

  /**
   * The session configuration: {@code threads} intra-op threads and one inter-op thread (the
   * graphs are chains of ops; a second scheduler thread only competes for the cores), GPUs hidden
   * unless used, XLA auto-clustering when {@code xla} is true, and Grappler only when {@code
   * grappler} is true.
   *
   * <p>Grappler, TensorFlow's graph rewriter, is off by default: the traced graphs have static
   * shapes, and Grappler cost memory and time (measured on the CPU build only). SmolLM2-135M's
   * shape, 30 layers, batch 4 x 128, 2 threads: training peak RSS 4.30 / 4.33 GB without it against
   * 4.77 / 4.84 GB with it (no XLA), 4.79 / 4.83 against 5.04 / 5.06 GB (XLA), at the same speed
   * within the machine's noise; the tiny GPT's step may be slower without it. Its passes ran about
   * 14 s before the first step of an AdamW step over 546 small parameters (first step 3.9 s without,
   * 19.7 s with), its constant folding adding some 283,000 control edges there.
   *
   * <p>TensorFlow creates its CPU thread pools once per process, with the settings of the first
   * session: the thread count of later engines in the same JVM has no effect.
   */
  static ConfigProto config(EngineOptions options, boolean gpu, boolean xla, boolean grappler) {
    ConfigProto.Builder config = ConfigProto.newBuilder();
    if (options.threads() > 0) {
      config.setIntraOpParallelismThreads(options.threads()).setInterOpParallelismThreads(1);
    }
    if (!gpu) {
      config.putDeviceCount("GPU", 0);
    }
    GraphOptions.Builder graph = GraphOptions.newBuilder();
    if (xla) {
      graph.setOptimizerOptions(
          OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1).setCpuGlobalJit(true));
    }
    if (!grappler) {
      graph.setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true));
    }
    return config.setGraphOptions(graph).build();
  }

  /**
   * Whether traced graphs are compiled with XLA (default yes): {@code -Dtandem.tf.xla} or {@code
   * TANDEM_TF_XLA} set to {@code false} turns it off.
   */
  static boolean xlaEnabled() {
    String v = setting(XLA_PROPERTY, XLA_ENV);
    return v == null || !(v.equalsIgnoreCase("false") || v.equals("0") || v.equalsIgnoreCase("off"));
  }

  /**
   * Whether Grappler rewrites the graphs (default no): {@code -Dtandem.tf.grappler} or {@code
   * TANDEM_TF_GRAPPLER} set to {@code true}, {@code 1} or {@code on} turns it on.
   */
  static boolean grapplerEnabled() {
    String v = setting(GRAPPLER_PROPERTY, GRAPPLER_ENV);
    return v != null && (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("on"));
  }

  /** The system property, else the environment variable; null when neither is set. */
  private static String setting(String property, String env) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? null : v.strip();
  }
}
