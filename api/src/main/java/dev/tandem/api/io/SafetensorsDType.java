package dev.tandem.api.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The safetensors dtypes Tandem reads; F16 and BF16 are widened to float on read. */
enum SafetensorsDType {
  F32(4),
  I32(4),
  F16(2),
  BF16(2);

  final int bytes;

  SafetensorsDType(int bytes) {
    this.bytes = bytes;
  }

  /** The dtype named {@code name}, or null when Tandem does not read it. */
  static SafetensorsDType parse(String name) {
    for (SafetensorsDType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  static String supported() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** IEEE 754 half precision to float (exact). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // zero or subnormal
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** bfloat16 to float (exact): the high half of a float's bits. */
  static float bf16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }
}
