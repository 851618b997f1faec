package dev.tandem.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;

/**
 * Rotary position embeddings in Hugging Face's rotate-half layout: {@code x' = x cos + rotateHalf(x)
 * sin}, the angles {@code position * inv_freq} duplicated over both halves of the head. The inverse
 * frequencies are computed in float32 as transformers does ({@code modeling_rope_utils.py}: {@code
 * _compute_default_rope_parameters}, {@code _compute_linear_scaling_rope_parameters}, {@code
 * _compute_llama3_parameters}).
 */
public final class Rope {
  private Rope() {}

  /** {@code theta^(-2i/d)} for {@code i < d/2}, in float32 as {@code 1 / theta^(2i/d)}. */
  public static float[] invFreq(double theta, int headDim) {
    float[] f = new float[headDim / 2];
    for (int i = 0; i < f.length; i++) {
      float exponent = (float) (2 * i) / headDim;
      f[i] = 1f / (float) Math.pow((float) theta, exponent);
    }
    return f;
  }

  /**
   * Applies {@code rope_scaling}: null or {@code default} leaves the frequencies, {@code linear}
   * divides them by {@code factor}, {@code llama3} rescales the low and smooths the medium ones.
   *
   * @throws IllegalArgumentException naming {@code rope_scaling} for another type or a bad field
   */
  public static float[] scaled(float[] invFreq, JsonNode scaling) {
    if (scaling == null || scaling.isNull()) {
      return invFreq;
    }
    if (!scaling.isObject()) {
      throw new IllegalArgumentException("rope_scaling must be an object or null, not " + scaling);
    }
    JsonNode typeNode = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
    String type = typeNode == null ? "default" : typeNode.asText();
    switch (type) {
      case "default":
        return invFreq;
      case "linear": {
        float factor = field(scaling, "factor");
        float[] out = invFreq.clone();
        for (int i = 0; i < out.length; i++) {
          out[i] = out[i] / factor;
        }
        return out;
      }
      case "llama3":
        return llama3(invFreq, field(scaling, "factor"), field(scaling, "low_freq_factor"),
            field(scaling, "high_freq_factor"), field(scaling, "original_max_position_embeddings"));
      default:
        throw new IllegalArgumentException(
            "rope_scaling type " + type + " is not supported (default, linear and llama3 are)");
    }
  }

  private static float[] llama3(float[] invFreq, float factor, float low, float high, float original) {
    if (!(high > low)) {
      throw new IllegalArgumentException("rope_scaling: high_freq_factor must exceed low_freq_factor");
    }
    float lowWavelen = original / low;
    float highWavelen = original / high;
    float[] out = new float[invFreq.length];
    for (int i = 0; i < out.length; i++) {
      float f = invFreq[i];
      float wavelen = (float) (2 * Math.PI) / f;
      float scaled = wavelen > lowWavelen ? f / factor : f;
      boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
      if (medium) {
        float smooth = (original / wavelen - low) / (high - low);
        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
      }
      out[i] = scaled;
    }
    return out;
  }

  private static float field(JsonNode scaling, String name) {
    JsonNode v = scaling.get(name);
    if (v == null || !v.isNumber() || !(v.doubleValue() > 0)) {
      throw new IllegalArgumentException("rope_scaling." + name + " must be a positive number, not " + v);
    }
    return v.floatValue();
  }

  /**
   * The cosines and sines for {@code positions} ({@code [B, T]} INT32), each {@code [B, 1, T,
   * headDim]}, broadcasting over heads.
   */
  public static Tensor[] cosSin(TensorOps ops, float[] invFreq, Tensor positions) {
    int b = positions.shape().dim(0);
    int t = positions.shape().dim(1);
    Tensor pos = ops.reshape(ops.cast(positions, dev.tandem.api.tensor.DType.FLOAT32), b, 1, t, 1);
    Tensor freq = ops.constant(HostTensor.of(invFreq.clone(), invFreq.length));
    Tensor angles = ops.mul(pos, freq);
    Tensor emb = ops.concat(List.of(angles, angles), -1);
    return new Tensor[] {ops.cos(emb), ops.sin(emb)};
  }

  /** {@code x cos + rotateHalf(x) sin} for {@code x} of shape {@code [B, H, T, headDim]}. */
  public static Tensor apply(TensorOps ops, Tensor x, Tensor[] cosSin) {
    return ops.add(ops.mul(x, cosSin[0]), ops.mul(ops.rotateHalf(x), cosSin[1]));
  }
}
