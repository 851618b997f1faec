package dev.tandem.engine.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TensorFunction;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The DJL (PyTorch) {@link Engine}: eager execution, gradients through DJL's GradientCollector.
 *
 * <p>Memory: every array lives under one root manager, closed by {@link #close()}. Uploads,
 * function outputs and eager-ops results live in a <em>user</em> manager until the caller closes
 * them; parameters and optimizer state in their own managers; each function call and train step
 * runs in a child manager that is closed when it returns, so intermediates never accumulate.
 *
 * <p>Threading: one thread at a time, and at most one train step running per process (DJL allows a
 * single GradientCollector at a time).
 */
public final class DjlEngine implements Engine {
  private final ai.djl.engine.Engine pytorch;
  private final Device device;
  private final NDManager root;
  private final NDManager user;
  private final DjlOps eager;
  private final DjlKernels kernels;
  private boolean closed;

  DjlEngine(ai.djl.engine.Engine pytorch, Device device) {
    this(pytorch, device, true);
  }

  /**
   * @param fusedKernels whether to load {@link DjlKernels}; false runs every op and update as a
   *     composition of DJL ops (for tests and diagnosis)
   */
  DjlEngine(ai.djl.engine.Engine pytorch, Device device, boolean fusedKernels) {
    this.pytorch = pytorch;
    this.device = device;
    this.root = pytorch.newBaseManager(device);
    this.root.setName("tandem-djl");
    this.user = root.newSubManager();
    this.user.setName("tandem-djl-user");
    this.eager = new DjlOps(this, user, true);
    this.kernels = fusedKernels ? DjlKernels.load(root) : null;
  }

  @Override
  public String name() {
    return DjlEngineProvider.NAME;
  }

  @Override
  public String device() {
    return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
  }

  @Override
  public Tensor upload(HostTensor value) {
    checkOpen();
    return new DjlTensor(this, create(user, value), true);
  }

  @Override
  public HostTensor download(Tensor value) {
    checkOpen();
    if (!(value instanceof DjlTensor d) || d.engine() != this) {
      throw new IllegalArgumentException("tensor " + value + " does not belong to this engine");
    }
    return toHost(d.array());
  }

  @Override
  public Parameters createParameters(Map<String, HostTensor> values, Set<String> trainable) {
    checkOpen();
    return new DjlParameters(this, values, trainable);
  }

  @Override
  public CompiledFunction compile(Parameters params, TensorFunction function) {
    checkOpen();
    return new DjlCompiledFunction(this, parameters(params), Objects.requireNonNull(function));
  }

  @Override
  public TrainStep trainStep(
      Parameters params, LossFunction loss, Optimizer optimizer, TrainStepOptions options) {
    checkOpen();
    return new DjlTrainStep(
        this,
        parameters(params),
        Objects.requireNonNull(loss, "loss"),
        Objects.requireNonNull(optimizer, "optimizer"),
        options == null ? new TrainStepOptions(0f) : options);
  }

  @Override
  public TensorOps eagerOps() {
    checkOpen();
    return eager;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (kernels != null) {
        kernels.close();
      }
      root.close();
    }
  }

  @Override
  public String toString() {
    return "DjlEngine["
        + pytorch.getEngineName()
        + " "
        + pytorch.getVersion()
        + ", "
        + device()
        + "]";
  }

  // ---- package-private plumbing -----------------------------------------------------------------


  /** PyTorch's autograd profiler over {@code work}, read back from the Chrome trace it writes. */
  @Override
  public java.util.Optional<dev.tandem.api.engine.OpProfile> profile(Runnable work) {
    checkOpen();
    java.nio.file.Path trace = null;
    try {
      trace = java.nio.file.Files.createTempFile("tandem-djl-profile", ".json");
      ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
      try {
        work.run();
      } finally {
        ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toString());
      }
      return java.util.Optional.of(
          dev.tandem.api.engine.OpProfile.fromChromeTrace(new com.fasterxml.jackson.databind.ObjectMapper().readTree(trace.toFile())));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("reading PyTorch's profile " + trace, e);
    } finally {
      if (trace != null) {
        try {
          java.nio.file.Files.deleteIfExists(trace);
        } catch (java.io.IOException ignored) {
          // a temporary file
        }
      }
    }
  }

  ai.djl.engine.Engine pytorch() {
    return pytorch;
  }

  NDManager root() {
    return root;
  }

  NDManager user() {
    return user;
  }

  /** The fused kernels, or null when they are disabled or failed to load. */
  DjlKernels kernels() {
    return kernels;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the DJL engine is closed");
    }
  }

  /** Number of live arrays under this engine's managers (for leak tests). */
  int liveArrays() {
    return root.getManagedArrays().size();
  }

  private DjlParameters parameters(Parameters params) {
    if (params instanceof DjlParameters p && p.engine() == this) {
      return p;
    }
    throw new IllegalArgumentException(
        "parameters were not created by this DJL engine: "
            + (params == null ? null : params.getClass()));
  }

  /** Creates an array in {@code manager} from host data. */
  static NDArray create(NDManager manager, HostTensor value) {
    ai.djl.ndarray.types.Shape shape = DjlTensor.toDjl(value.shape().dims());
    return value.dtype() == DType.FLOAT32
        ? manager.create(value.floats(), shape)
        : manager.create(value.ints(), shape);
  }

  /**
   * As {@link #create}, but the native tensor owns its memory. DJL creates tensors over the Java
   * buffer it copied the data into and keeps that buffer alive through the array object; {@link
   * NDArray#intern} moves only the native handle, so a value that is interned into another array
   * must come from here, or the buffer is collected under the tensor (a crash dozens of steps later).
   */
  static NDArray createOwned(NDManager manager, HostTensor value) {
    try (NDArray borrowed = create(manager, value)) {
      NDArray owned = borrowed.duplicate();
      owned.attach(manager);
      return owned;
    }
  }

  /** Copies an array to the host. */
  static HostTensor toHost(NDArray array) {
    int[] dims = DjlTensor.toShape(array.getShape()).dims();
    ByteBuffer bb = array.toByteBuffer();
    DataType type = array.getDataType();
    if (type == DataType.FLOAT32) {
      float[] f = new float[Math.toIntExact(array.size())];
      bb.asFloatBuffer().get(f);
      return HostTensor.of(f, dims);
    }
    if (type == DataType.INT32) {
      int[] i = new int[Math.toIntExact(array.size())];
      bb.asIntBuffer().get(i);
      return HostTensor.ofInts(i, dims);
    }
    throw new IllegalStateException("cannot download an array of type " + type);
  }
}
