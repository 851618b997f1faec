package dev.tandem.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import dev.tandem.api.optim.FusedKernels;
import dev.tandem.api.optim.FusedStep;
import dev.tandem.api.tensor.Tensor;
import java.util.List;
import java.util.OptionalDouble;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fused kernels that DJL's JNI does not expose, as a tiny TorchScript module built here, in memory,
 * and loaded through DJL: the tanh-approximation GELU (one kernel forward and one backward instead
 * of six and a dozen) and whole-model optimizer updates (AdamW through PyTorch's fused CPU kernel,
 * RMSProp and SGD as in-place loops), each one native call instead of about twenty ops per
 * parameter.
 *
 * <p>The optimizer updates are this engine's {@link FusedKernels}: the train step offers them to the
 * optimizer ({@link dev.tandem.api.optim.Optimizer#applyFused}), which picks the one that computes
 * its update; their formulas are the contracts stated there ({@link dev.tandem.api.optim.AdamW},
 * {@link dev.tandem.api.optim.RmsProp}, {@link dev.tandem.api.optim.Sgd} and {@link
 * dev.tandem.api.optim.UpdateRule}'s clipping); the conformance suite checks them against a
 * reference, with and without these kernels. Set {@code -Dtandem.djl.kernels=false} to run the
 * generic compositions instead.
 */
final class DjlKernels implements FusedKernels, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DjlKernels.class);

  /** TorchScript source of the module: {@code code/__torch__.py} in the archive. */
  private static final String SOURCE_RESOURCE = "kernels.torchscript";

  private final PtNDManager manager;
  private final PtSymbolBlock module;

  private DjlKernels(PtNDManager manager, PtSymbolBlock module) {
    this.manager = manager;
    this.module = module;
  }

  /** Loads the kernels into {@code manager}, or returns null (with a warning) if that fails. */
  static DjlKernels load(NDManager manager) {
    if (!Boolean.parseBoolean(System.getProperty("tandem.djl.kernels", "true"))) {
      return null;
    }
    try {
      byte[] archive = archive();
      PtNDManager m = (PtNDManager) manager;
      return new DjlKernels(
          m, JniUtils.loadModule(m, new ByteArrayInputStream(archive), false, false));
    } catch (IOException | RuntimeException e) {
      LOG.warn("DJL engine: fused kernels unavailable, using op compositions: {}", e.toString());
      return null;
    }
  }

  /** GELU, tanh approximation; recorded for autograd when grad mode is on. */
  NDArray gelu(PtNDArray x) {
    NDList out = IValueUtils.forward(module, new NDList(x), JniUtils.isGradMode());
    return out.singletonOrThrow();
  }

  // ---- FusedKernels: the optimizer hook -------------------------------------------------------

  @Override
  public OptionalDouble adamW(
      FusedStep step,
      List<Tensor> m,
      List<Tensor> v,
      boolean[] decay,
      float beta1,
      float beta2,
      float eps,
      float weightDecay) {
    long t = step.step();
    // PyTorch adds eps to sqrt(v) / sqrt(1 - beta2^t); the contract adds it to sqrt(v): rescale it
    double ptEps = eps / Math.sqrt(1 - Math.pow(beta2, t));
    try (NDArray count = manager.create((float) t)) {
      return OptionalDouble.of(
          adamW(
              arrays(step.params()),
              arrays(step.grads()),
              arrays(m),
              arrays(v),
              count,
              decay,
              step.learningRate(),
              beta1,
              beta2,
              ptEps,
              weightDecay,
              step.maxGradNorm()));
    }
  }

  @Override
  public OptionalDouble rmsProp(FusedStep step, List<Tensor> v, float alpha, float eps, float weightDecay) {
    return OptionalDouble.of(
        rmsProp(
            arrays(step.params()),
            arrays(step.grads()),
            arrays(v),
            step.learningRate(),
            alpha,
            eps,
            weightDecay,
            step.maxGradNorm()));
  }

  @Override
  public OptionalDouble sgd(FusedStep step) {
    return OptionalDouble.of(
        sgd(arrays(step.params()), arrays(step.grads()), step.learningRate(), step.maxGradNorm()));
  }

  private static List<NDArray> arrays(List<Tensor> tensors) {
    List<NDArray> out = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) {
      if (!(t instanceof DjlTensor d)) {
        throw new IllegalArgumentException("not a DJL engine tensor: " + t);
      }
      out.add(d.array());
    }
    return out;
  }

  // ---- the TorchScript methods ----------------------------------------------------------------

  /**
   * AdamW over all trainable parameters, in place; the train step then drops the gradients. The lists are split into
   * the parameters that decay and the others inside TorchScript only through arguments: the JIT
   * drops in-place ops on lists built inside a method.
   *
   * @return the global gradient norm before clipping
   */
  float adamW(
      List<NDArray> params,
      List<NDArray> grads,
      List<NDArray> m,
      List<NDArray> v,
      NDArray step,
      boolean[] decay,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      double maxNorm) {
    List<List<NDArray>> d = new ArrayList<>();
    List<List<NDArray>> p = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      d.add(new ArrayList<>());
      p.add(new ArrayList<>());
    }
    for (int i = 0; i < params.size(); i++) {
      List<List<NDArray>> g = decay[i] ? d : p;
      g.get(0).add(params.get(i));
      g.get(1).add(grads.get(i));
      g.get(2).add(m.get(i));
      g.get(3).add(v.get(i));
      g.get(4).add(step);
    }
    return run(
        "adamw",
        list(d.get(0)),
        list(d.get(1)),
        list(d.get(2)),
        list(d.get(3)),
        list(d.get(4)),
        list(p.get(0)),
        list(p.get(1)),
        list(p.get(2)),
        list(p.get(3)),
        list(p.get(4)),
        IValue.from(lr),
        IValue.from(beta1),
        IValue.from(beta2),
        IValue.from(eps),
        IValue.from(weightDecay),
        IValue.from(maxNorm));
  }

  /** RMSProp over all trainable parameters, in place (the train step then drops the gradients); returns the norm. */
  float rmsProp(
      List<NDArray> params,
      List<NDArray> grads,
      List<NDArray> v,
      double lr,
      double alpha,
      double eps,
      double weightDecay,
      double maxNorm) {
    return run(
        "rmsprop",
        list(params),
        list(grads),
        list(v),
        IValue.from(lr),
        IValue.from(alpha),
        IValue.from(eps),
        IValue.from(weightDecay),
        IValue.from(maxNorm));
  }

  /** SGD over all trainable parameters, in place (the train step then drops the gradients); returns the norm. */
  float sgd(List<NDArray> params, List<NDArray> grads, double lr, double maxNorm) {
    return run("sgd", list(params), list(grads), IValue.from(lr), IValue.from(maxNorm));
  }

  private float run(String method, IValue... args) {
    try (IValue out = IValueUtils.runMethod(module, method, args)) {
      try (PtNDArray norm = out.toTensor(manager)) {
        return norm.toFloatArray()[0];
      }
    } finally {
      for (IValue a : args) {
        a.close();
      }
    }
  }

  private static IValue list(List<NDArray> arrays) {
    PtNDArray[] a = new PtNDArray[arrays.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (PtNDArray) arrays.get(i);
    }
    return IValue.listFrom(a);
  }

  @Override
  public void close() {
    module.close();
  }

  /** The TorchScript archive: a module object with no state and the source above. */
  static byte[] archive() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      stored(zip, "archive/data.pkl", dataPickle());
      stored(zip, "archive/code/__torch__.py", source());
      stored(zip, "archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      stored(zip, "archive/version", "10\n".getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static byte[] source() throws IOException {
    try (InputStream in = DjlKernels.class.getResourceAsStream(SOURCE_RESOURCE)) {
      if (in == null) {
        throw new IOException("resource " + SOURCE_RESOURCE + " is missing");
      }
      return in.readAllBytes();
    }
  }

  /** Pickle (protocol 2) of {@code __torch__.Kernels} with state {@code {"training": True}}. */
  private static byte[] dataPickle() {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80);
    p.write(2);
    p.writeBytes("c__torch__\nKernels\n".getBytes(StandardCharsets.US_ASCII));
    p.write(')'); // EMPTY_TUPLE
    p.write(0x81); // NEWOBJ
    p.write('}'); // EMPTY_DICT
    p.write('('); // MARK
    byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
    p.write('X'); // BINUNICODE, little-endian length
    p.write(key.length);
    p.write(0);
    p.write(0);
    p.write(0);
    p.writeBytes(key);
    p.write(0x88); // NEWTRUE
    p.write('u'); // SETITEMS
    p.write('b'); // BUILD
    p.write('.'); // STOP
    return p.toByteArray();
  }

  private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }
}
