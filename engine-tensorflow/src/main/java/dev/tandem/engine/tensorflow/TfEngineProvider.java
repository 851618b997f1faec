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
    return create(options, xlaEnabled());
  }

  /** As {@link #create(EngineOptions)}, with XLA compilation on or off. */
  Engine create(EngineOptions options, boolean xla) {
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
    LOG.debug("TensorFlow {}: device {}, threads {}, XLA {}", org.tensorflow.TensorFlow.version(),
        gpu ? "gpu:0" : "cpu", options.threads() == 0 ? "default" : options.threads(), xla);
    if (ADVISED.compareAndSet(false, true)) {
      dev.tandem.api.bench.HostMemory.hugePagesAdvice().ifPresent(advice -> LOG.info("TensorFlow engine: {}", advice));
    }
    return new TfEngine(gpu ? "gpu:0" : "cpu", config(options, gpu, xla), xla);
  }

  /**
   * The session configuration: {@code threads} intra-op threads and one inter-op thread (the
   * graphs are chains of ops; a second scheduler thread only competes for the cores), GPUs hidden
   * unless used, and XLA auto-clustering when {@code xla} is true.
   *
   * <p>TensorFlow creates its CPU thread pools once per process, with the settings of the first
   * session: the thread count of later engines in the same JVM has no effect.
   */
  static ConfigProto config(EngineOptions options, boolean gpu, boolean xla) {
    ConfigProto.Builder config = ConfigProto.newBuilder();
    if (options.threads() > 0) {
      config.setIntraOpParallelismThreads(options.threads()).setInterOpParallelismThreads(1);
    }
    if (!gpu) {
      config.putDeviceCount("GPU", 0);
    }
    if (xla) {
      config.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(
          OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1).setCpuGlobalJit(true)));
    }
    return config.build();
  }

  /**
   * Whether traced graphs are compiled with XLA (default yes): {@code -Dtandem.tf.xla} or {@code
   * TANDEM_TF_XLA} set to {@code false} turns it off.
   */
  static boolean xlaEnabled() {
    String v = System.getProperty(XLA_PROPERTY);
    if (v == null || v.isBlank()) {
      v = System.getenv(XLA_ENV);
    }
    return v == null || v.isBlank() || !(v.equalsIgnoreCase("false") || v.equals("0") || v.equalsIgnoreCase("off"));
  }
}
