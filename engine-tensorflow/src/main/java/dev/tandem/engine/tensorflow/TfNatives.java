package dev.tandem.engine.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import dev.tandem.api.engine.EngineUnavailableException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * Finding, unpacking and loading TensorFlow's native libraries, and asking them about GPUs.
 *
 * <p>JavaCPP unpacks the libraries from the {@code tensorflow-core-native} jar into its cache
 * directory on first use (about 650 MB, a few seconds) and reuses them afterwards. The directory is,
 * in order: {@code -Dtandem.tf.cache}, the {@code TANDEM_TF_CACHE} environment variable, {@code
 * -Dorg.bytedeco.javacpp.cachedir}, or JavaCPP's default {@code ~/.javacpp/cache}.
 */
final class TfNatives {
  /** System property naming the native cache directory. */
  static final String CACHE_PROPERTY = "tandem.tf.cache";

  /** Environment variable naming the native cache directory. */
  static final String CACHE_ENV = "TANDEM_TF_CACHE";

  private static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";
  private static final String NATIVE_DIR = "org/tensorflow/internal/c_api/linux-x86_64/";
  private static final String MAIN_LIBRARY = NATIVE_DIR + "libtensorflow_cc.so.2";

  private static boolean loaded;

  private TfNatives() {}

  /** Whether this platform has a native build in the coordinates we ship, with a reason if not. */
  static String unsupportedPlatform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      return null;
    }
    return "Tandem ships TensorFlow's native library for Linux x86-64 only; this is " + os + " " + arch
        + " (add org.tensorflow:tensorflow-core-native:1.1.0 with your platform's classifier)";
  }

  /** The native library inside the native jar, or null when it is not on the class path. */
  static URL nativeResource() {
    ClassLoader cl = TfNatives.class.getClassLoader();
    URL u = cl == null ? null : cl.getResource(MAIN_LIBRARY);
    return u != null ? u : ClassLoader.getSystemResource(MAIN_LIBRARY);
  }

  /**
   * The file name of the native jar on the class path when it is the CPU-only build (classifier
   * {@code linux-x86_64}, not {@code linux-x86_64-gpu}), else null: then only the loaded library
   * can tell whether there is a GPU. Loads nothing.
   */
  static String cpuOnlyJar() {
    URL u = nativeResource();
    if (u == null || !"jar".equals(u.getProtocol())) {
      return null;
    }
    String s = u.getPath();
    int bang = s.indexOf("!/");
    String jar = s.substring(s.lastIndexOf('/', bang < 0 ? s.length() : bang) + 1, bang < 0 ? s.length() : bang);
    return jar.endsWith("-linux-x86_64.jar") ? URLDecoder.decode(jar, StandardCharsets.UTF_8) : null;
  }

  /** The cache directory JavaCPP will use, after applying Tandem's setting. */
  static Path cacheDir() {
    String dir = System.getProperty(CACHE_PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv(CACHE_ENV);
    }
    if (dir != null && !dir.isBlank()) {
      System.setProperty(JAVACPP_CACHE, dir);
      return Path.of(dir);
    }
    String javacpp = System.getProperty(JAVACPP_CACHE);
    return javacpp != null && !javacpp.isBlank()
        ? Path.of(javacpp)
        : Path.of(System.getProperty("user.home"), ".javacpp", "cache");
  }

  /**
   * Loads the libraries once per JVM. The first time they are unpacked, a line on stderr says
   * where, and another how long it took.
   */
  static synchronized void load() {
    if (loaded) {
      return;
    }
    Path dir = cacheDir();
    Path unpacked = unpackedLibrary(dir);
    boolean first = unpacked != null && !Files.isRegularFile(unpacked);
    long t0 = System.nanoTime();
    if (first) {
      System.err.println("tensorflow: unpacking native libraries to " + dir + " (first run, ~650 MB; set "
          + CACHE_ENV + " to choose the directory)...");
    }
    try {
      TensorFlow.version();
    } catch (LinkageError | RuntimeException e) {
      throw new EngineUnavailableException(
          "TensorFlow's native library did not load (cache directory " + dir + "): " + e, e);
    }
    if (first) {
      System.err.printf(Locale.ROOT, "tensorflow: native libraries ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    loaded = true;
  }

  /** Where JavaCPP puts the main library for the jar on the class path, or null if unknown. */
  private static Path unpackedLibrary(Path cacheDir) {
    URL u = nativeResource();
    if (u == null || !"jar".equals(u.getProtocol())) {
      return null;
    }
    String s = u.getPath(); // file:/path/to/x.jar!/org/...
    int bang = s.indexOf("!/");
    if (!s.startsWith("file:") || bang < 0) {
      return null;
    }
    String jar = URLDecoder.decode(s.substring(5, bang), StandardCharsets.UTF_8);
    return cacheDir.resolve(Path.of(jar).getFileName().toString()).resolve(MAIN_LIBRARY);
  }

  /**
   * Whether TensorFlow sees a GPU here, from the device list of a throw-away session (the C API:
   * TensorFlow Java has no public call for it, and soft placement hides a missing GPU from ops).
   */
  static boolean hasGpu() {
    TF_Status status = TF_Status.newStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions opts = TF_NewSessionOptions();
    TF_Session session = TF_NewSession(graph, opts, status);
    try {
      status.throwExceptionIfNotOK();
      TF_DeviceList list = TF_SessionListDevices(session, status);
      status.throwExceptionIfNotOK();
      try {
        for (int i = 0; i < TF_DeviceListCount(list); i++) {
          if ("GPU".equals(TF_DeviceListType(list, i, status).getString())) {
            return true;
          }
        }
        return false;
      } finally {
        TF_DeleteDeviceList(list);
      }
    } catch (RuntimeException e) {
      return false;
    } finally {
      if (session != null && !session.isNull()) {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
      }
      TF_DeleteSessionOptions(opts);
      TF_DeleteGraph(graph);
      status.close();
    }
  }
}
