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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The formulas are exactly those of {@link dev.tandem.api.optim.AdamW}, {@link
 * dev.tandem.api.optim.RmsProp}, {@link dev.tandem.api.optim.Sgd} and {@link
 * dev.tandem.api.optim.UpdateRule}'s clipping; the conformance suite checks them against a
 * reference, with and without these kernels. Set {@code -Dtandem.djl.kernels=false} to run the
 * generic compositions instead.
 */
final class DjlKernels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DjlKernels.class);

  /** TorchScript source; file format version 10 so that {@code gelu} has {@code approximate}. */
  private static final String SOURCE =
      """
      class Kernels(Module):
        __parameters__ = []
        __buffers__ = []
        training : bool
        def forward(self: __torch__.Kernels,
          x: Tensor) -> Tensor:
          return torch.gelu(x, approximate="tanh")
        def clip(self: __torch__.Kernels,
          grads: List[Tensor], max_norm: float) -> Tensor:
          norm = torch.linalg_vector_norm(torch.stack(torch._foreach_norm(grads)))
          if max_norm > 0.:
            scale = torch.reciprocal(torch.clamp_min(torch.div(torch.add(norm, 1e-06), max_norm), 1.))
            torch._foreach_mul_(grads, scale)
          return norm
        def adamw(self: __torch__.Kernels,
          dp: List[Tensor], dg: List[Tensor], dm: List[Tensor], dv: List[Tensor], ds: List[Tensor],
          pp: List[Tensor], pg: List[Tensor], pm: List[Tensor], pv: List[Tensor], ps: List[Tensor],
          lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
          max_norm: float) -> Tensor:
          norm = torch.linalg_vector_norm(torch.stack(torch._foreach_norm(torch.add(dg, pg))))
          if max_norm > 0.:
            scale = torch.reciprocal(torch.clamp_min(torch.div(torch.add(norm, 1e-06), max_norm), 1.))
            if len(dg) > 0:
              torch._foreach_mul_(dg, scale)
            if len(pg) > 0:
              torch._foreach_mul_(pg, scale)
          if len(dp) > 0:
            torch._fused_adamw_(dp, dg, dm, dv, annotate(List[Tensor], []), ds, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
            torch._foreach_zero_(dg)
          if len(pp) > 0:
            torch._fused_adamw_(pp, pg, pm, pv, annotate(List[Tensor], []), ps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=0., eps=eps, amsgrad=False, maximize=False)
            torch._foreach_zero_(pg)
          return norm
        def rmsprop(self: __torch__.Kernels,
          params: List[Tensor], grads: List[Tensor], vs: List[Tensor],
          lr: float, alpha: float, eps: float, weight_decay: float, max_norm: float) -> Tensor:
          norm = self.clip(grads, max_norm)
          for i in range(len(params)):
            p = params[i]
            g = grads[i]
            if weight_decay > 0.:
              g = torch.add(g, p, alpha=weight_decay)
            v = vs[i]
            v.mul_(alpha).addcmul_(g, g, value=1. - alpha)
            p.addcdiv_(g, torch.add(torch.sqrt(v), eps), value=-lr)
          torch._foreach_zero_(grads)
          return norm
        def sgd(self: __torch__.Kernels,
          params: List[Tensor], grads: List[Tensor], lr: float, max_norm: float) -> Tensor:
          norm = self.clip(grads, max_norm)
          torch._foreach_add_(params, grads, alpha=-lr)
          torch._foreach_zero_(grads)
          return norm
      """;

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
      return new DjlKernels(m, JniUtils.loadModule(m, new ByteArrayInputStream(archive), false, false));
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

  /**
   * AdamW over all trainable parameters, in place; zeroes the gradients. The lists are split into
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

  /** RMSProp over all trainable parameters, in place; zeroes the gradients; returns the norm. */
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

  /** SGD over all trainable parameters, in place; zeroes the gradients; returns the norm. */
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
      stored(zip, "archive/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
      stored(zip, "archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      stored(zip, "archive/version", "10\n".getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
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
