package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineUnavailableException;
import java.util.List;
import org.tensorflow.proto.ConfigProto;

/**
 * The ServiceLoader entry of the TensorFlow engine ({@code --engine tensorflow}). Construction and
 * {@link #availability()} only look for classes and resources; {@link #create} loads the native
 * library (unpacking it on first use, see {@code TANDEM_TF_CACHE}).
 */
public final class TfEngineProvider implements EngineProvider {
  /** The engine's name. */
  public static final String NAME = "tensorflow";

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
            "TensorFlow's native library is missing: add org.tensorflow:tensorflow-core-native:1.1.0"
                + " with classifier linux-x86_64 to the class path");
      }
      return Availability.available(List.of("cpu"));
    } catch (RuntimeException e) {
      return Availability.unavailable("cannot check for TensorFlow: " + e);
    }
  }

  @Override
  public Engine create(EngineOptions options) {
    Availability a = availability();
    if (!a.available()) {
      throw new EngineUnavailableException("engine '" + NAME + "' is unavailable: " + a.reason());
    }
    TfNatives.load();
    boolean gpu = !options.device().equals("cpu") && TfNatives.hasGpu();
    if (options.device().equals("gpu") && !gpu) {
      throw new EngineUnavailableException(
          "device gpu was requested but TensorFlow reports no GPU (the linux-x86_64 native build is"
              + " CPU-only; use classifier linux-x86_64-gpu with CUDA, or --device cpu)");
    }
    ConfigProto.Builder config = ConfigProto.newBuilder();
    if (options.threads() > 0) {
      config.setIntraOpParallelismThreads(options.threads()).setInterOpParallelismThreads(1);
    }
    if (!gpu) {
      config.putDeviceCount("GPU", 0);
    }
    return new TfEngine(gpu ? "gpu:0" : "cpu", config.build());
  }
}
