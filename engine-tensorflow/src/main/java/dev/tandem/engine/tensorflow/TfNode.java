package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import org.tensorflow.Output;

/**
 * A symbolic tensor: one output of a node in the graph being traced. It has a static shape and
 * type but no value; it is only valid inside the trace that created it.
 *
 * <p>A node made by {@code transpose} remembers its source and permutation, so that {@code matmul}
 * can fold a transpose of the last two axes into the product instead of copying the operand.
 */
final class TfNode implements Tensor {
  private final Trace trace;
  private final Output<?> output;
  private final Shape shape;
  private final DType dtype;
  private final TfNode transposeSource;
  private final int[] transposePerm;

  TfNode(Trace trace, Output<?> output, Shape shape, DType dtype) {
    this(trace, output, shape, dtype, null, null);
  }

  TfNode(Trace trace, Output<?> output, Shape shape, DType dtype, TfNode source, int[] perm) {
    this.trace = trace;
    this.output = output;
    this.shape = shape;
    this.dtype = dtype;
    this.transposeSource = source;
    this.transposePerm = perm;
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  Trace trace() {
    return trace;
  }

  Output<?> output() {
    return output;
  }

  /**
   * If this node only swaps the last two axes of another node (keeping the others in place), that
   * node; else null.
   */
  TfNode swappedLastTwoOf() {
    if (transposePerm == null) {
      return null;
    }
    int r = transposePerm.length;
    for (int i = 0; i < r - 2; i++) {
      if (transposePerm[i] != i) {
        return null;
      }
    }
    return transposePerm[r - 2] == r - 1 && transposePerm[r - 1] == r - 2 ? transposeSource : null;
  }

  @Override
  public String toString() {
    return "TfNode(" + output.name() + ")" + shape + " " + dtype;
  }
}
