package dev.tandem.engine.djl;

import ai.djl.Device;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ServiceLoader entry of the DJL engine ({@code --engine djl}). {@link #availability()} only
 * looks at class-path resources and a few files; native code is loaded by {@link #create}.
 *
 * <p>{@code create} sets {@code ai.djl.offline=true} unless the property is set, so DJL never
 * downloads libtorch: the native jar {@code ai.djl.pytorch:pytorch-native-cpu} (class path only) or
 * {@code PYTORCH_LIBRARY_PATH} must provide it. Threads: {@code options.threads() > 0} sets
 * PyTorch's intra-op thread count, which is process-wide.
 */
public final class DjlEngineProvider implements EngineProvider {
  /** The engine's name. */
  public static final String NAME = "djl";

  private static final Logger LOG = LoggerFactory.getLogger(DjlEngineProvider.class);
  private static final java.util.concurrent.atomic.AtomicBoolean ADVISED = new java.util.concurrent.atomic.AtomicBoolean();
  private static final String PT_ENGINE = "ai.djl.pytorch.engine.PtEngine";
  private static final String NATIVE_PROPS = "native/lib/pytorch.properties";
  private static final String JNI_PROPS = "jnilib/pytorch.properties";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public Availability availability() {
    try {
      return probe();
    } catch (RuntimeException | LinkageError e) {
      return Availability.unavailable("cannot inspect the DJL installation: " + e);
    }
  }

  private Availability probe() {
    ClassLoader cl = classLoader();
    try {
      Class.forName(PT_ENGINE, false, cl);
    } catch (ClassNotFoundException e) {
      return Availability.unavailable(
          "DJL's PyTorch engine is missing: add ai.djl.pytorch:pytorch-engine to the path");
    }
    if (cl.getResource(JNI_PROPS) == null) {
      return Availability.unavailable(
          "DJL's PyTorch JNI library is missing: add ai.djl.pytorch:pytorch-jni to the path");
    }
    String platform = platform();
    URL props = cl.getResource(NATIVE_PROPS);
    if (props == null) {
      String libPath = System.getenv("PYTORCH_LIBRARY_PATH");
      if (libPath != null && Files.isDirectory(Path.of(libPath))) {
        return Availability.available(List.of("cpu"));
      }
      return Availability.unavailable(
          "libtorch is missing: put ai.djl.pytorch:pytorch-native-cpu (classifier "
              + platform
              + ") on the class path (not the module path: its module name is invalid), or set"
              + " PYTORCH_LIBRARY_PATH; DJL runs offline and will not download it");
    }
    Properties p = new Properties();
    try (InputStream in = props.openStream()) {
      p.load(in);
    } catch (IOException e) {
      return Availability.unavailable("cannot read " + props + ": " + e.getMessage());
    }
    String classifier = p.getProperty("classifier", "");
    if (!classifier.equals(platform)) {
      return Availability.unavailable(
          "the libtorch jar on the class path is for "
              + classifier
              + ", this machine is "
              + platform);
    }
    List<String> devices = new ArrayList<>(List.of("cpu"));
    if (p.getProperty("flavor", "cpu").startsWith("cu")) {
      devices.addAll(nvidiaGpus());
    }
    return Availability.available(devices);
  }

  @Override
  public Engine create(EngineOptions options) {
    return create(options, true);
  }

  /** {@link #create(EngineOptions)}, optionally without {@link DjlKernels} (for tests). */
  DjlEngine create(EngineOptions options, boolean fusedKernels) {
    Availability a = availability();
    if (!a.available()) {
      throw new EngineUnavailableException("engine 'djl' is unavailable: " + a.reason());
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (options.threads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.threads()));
    }
    MklOnAmd.apply(); // before libtorch loads
    ai.djl.engine.Engine pt;
    try {
      pt = ai.djl.engine.Engine.getEngine("PyTorch");
    } catch (RuntimeException | LinkageError e) {
      throw new EngineUnavailableException("DJL could not load libtorch: " + e.getMessage(), e);
    }
    if (options.threads() > 0) {
      JniUtils.setNumThreads(options.threads());
    }
    int gpus = pt.hasCapability(StandardCapabilities.CUDA) ? pt.getGpuCount() : 0;
    Device device =
        switch (options.device()) {
          case "cpu" -> Device.cpu();
          case "gpu" -> {
            if (gpus == 0) {
              throw new EngineUnavailableException(
                  "device 'gpu' requested, but DJL's libtorch ("
                      + pt.getVersion()
                      + ") sees no CUDA GPU; use --device cpu or a pytorch-native-cu* jar");
            }
            yield Device.gpu(0);
          }
          default -> gpus > 0 ? Device.gpu(0) : Device.cpu();
        };
    LOG.debug("DJL engine on {} with {} intra-op threads", device, JniUtils.getNumThreads());
    if (ADVISED.compareAndSet(false, true)) {
      dev.tandem.api.bench.HostMemory.hugePagesAdvice().ifPresent(advice -> LOG.info("DJL engine: {}", advice));
    }
    return new DjlEngine(pt, device, fusedKernels);
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : DjlEngineProvider.class.getClassLoader();
  }

  /** DJL's classifier for this machine, e.g. {@code linux-x86_64}. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o =
        os.startsWith("linux")
            ? "linux"
            : os.startsWith("mac") ? "osx" : os.startsWith("win") ? "win" : os;
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
    return o + "-" + a;
  }

  private static List<String> nvidiaGpus() {
    Path dir = Path.of("/proc/driver/nvidia/gpus");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      long n = s.count();
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add("gpu:" + i);
      }
      return out;
    } catch (IOException e) {
      return List.of();
    }
  }
}
