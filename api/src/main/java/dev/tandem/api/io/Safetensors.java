package dev.tandem.api.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format: an
 * 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON mapping tensor names
 * to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional {@code
 * "__metadata__"} object of strings), then the data buffer the offsets index.
 *
 * <p>Reading is memory-mapped and validates the whole header before allocating anything: the
 * header length against the file size and a 100 MB limit, the JSON, every entry's fields, offsets
 * inside the buffer, sizes equal to shape times dtype size (in overflow-checked 64-bit arithmetic),
 * and that the tensors tile the buffer without overlaps or holes. Any violation is a {@link
 * SafetensorsException} naming the file and the tensor. F32 and I32 are read as they are; F16 and
 * BF16 are widened to F32; other dtypes are rejected.
 *
 * <p>Writing stores floats as F32, BF16 or F16 and ints as I32, sorts entries by name, pads the header with spaces to a multiple
 * of 8 bytes, and is atomic ({@link AtomicFiles#write}).
 */
public final class Safetensors {
  /** Bytes mapped at a time when reading a tensor (a multiple of every element size). */
  private static final long CHUNK = 1L << 30;

  private static final int WRITE_BUFFER = 1 << 20;

  private Safetensors() {}

  /**
   * All tensors of {@code file}, by name in name order.
   *
   * @throws SafetensorsException if the file is malformed or holds an unsupported dtype
   * @throws IOException if it cannot be read
   */
  public static Map<String, HostTensor> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SafetensorsHeader header = SafetensorsHeader.read(file, ch);
      Map<String, HostTensor> out = new LinkedHashMap<>();
      for (SafetensorsHeader.Entry e : header.entries.values()) {
        out.put(e.name(), readTensor(ch, header.dataStart, e));
      }
      return Collections.unmodifiableMap(out);
    }
  }

  /**
   * The {@code __metadata__} strings of {@code file} (empty if it has none). The whole header is
   * validated, the tensor data is not read.
   */
  public static Map<String, String> readMetadata(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return SafetensorsHeader.read(file, ch).metadata;
    }
  }

  /**
   * The stored dtype of each tensor of {@code file} ({@code F32}, {@code BF16}, {@code F16} or
   * {@code I32}), by name; the whole header is validated, the data is not read.
   */
  public static Map<String, String> readDTypes(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Map<String, String> out = new LinkedHashMap<>();
      SafetensorsHeader.read(file, ch).entries.forEach((k, e) -> out.put(k, e.dtype().name()));
      return out;
    }
  }

  /** Writes {@code tensors} with no metadata; see {@link #write(Path, Map, Map)}. */
  public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /**
   * Writes {@code tensors} (F32 or I32) and {@code metadata} (may be null) to {@code file}
   * atomically: through {@code <file>.tmp}, forced to disk, then renamed.
   *
   * @throws SafetensorsException if a name is empty or {@code __metadata__}
   */
  public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
      throws IOException {
    write(file, tensors, metadata, "F32");
  }

  /**
   * As {@link #write(Path, Map, Map)}, storing float tensors as {@code floatType}: {@code F32},
   * {@code BF16} or {@code F16} (rounded to nearest even, as PyTorch's conversion); INT32 tensors
   * stay I32.
   *
   * @throws IllegalArgumentException for another {@code floatType}
   */
  public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata, String floatType)
      throws IOException {
    SafetensorsDType stored = SafetensorsDType.parse(floatType);
    if (stored == null || stored == SafetensorsDType.I32) {
      throw new IllegalArgumentException("cannot store floats as " + floatType + " (F32, BF16 or F16)");
    }
    Map<String, HostTensor> sorted = new TreeMap<>();
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().equals(SafetensorsHeader.METADATA)) {
        throw new SafetensorsException(file, "invalid tensor name '" + e.getKey() + "'");
      }
      if (e.getValue() == null) {
        throw new SafetensorsException(file, "tensor '" + e.getKey() + "' is null");
      }
      sorted.put(e.getKey(), e.getValue());
    }
    byte[] header = header(sorted, metadata == null ? Map.of() : metadata, stored);
    AtomicFiles.write(
        file,
        ch -> {
          ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          length.putLong(header.length).flip();
          AtomicFiles.writeFully(ch, length);
          AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
          ByteBuffer buf = ByteBuffer.allocate(WRITE_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
          for (HostTensor t : sorted.values()) {
            writeData(ch, buf, t, stored);
          }
        });
  }

  private static byte[] header(Map<String, HostTensor> sorted, Map<String, String> metadata, SafetensorsDType stored)
      throws JsonProcessingException {
    ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafetensorsHeader.METADATA);
      new TreeMap<>(metadata).forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, HostTensor> e : sorted.entrySet()) {
      HostTensor t = e.getValue();
      ObjectNode entry = root.putObject(e.getKey());
      SafetensorsDType type = t.dtype() == DType.INT32 ? SafetensorsDType.I32 : stored;
      entry.put("dtype", type.name());
      ArrayNode shape = entry.putArray("shape");
      for (int d : t.shape().dims()) {
        shape.add(d);
      }
      long bytes = (long) type.bytes * t.shape().size();
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = SafetensorsHeader.JSON.writeValueAsBytes(root);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(json, 0, out, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      out[i] = ' ';
    }
    return out;
  }

  private static void writeData(FileChannel ch, ByteBuffer buf, HostTensor t, SafetensorsDType stored)
      throws IOException {
    int n = t.shape().size();
    int size = t.dtype() == DType.INT32 ? 4 : stored.bytes;
    int perChunk = buf.capacity() / 4;
    for (int off = 0; off < n; off += perChunk) {
      int len = Math.min(perChunk, n - off);
      buf.clear();
      if (t.dtype() == DType.INT32) {
        buf.asIntBuffer().put(t.ints(), off, len);
      } else if (stored == SafetensorsDType.F32) {
        buf.asFloatBuffer().put(t.floats(), off, len);
      } else {
        ShortBuffer s = buf.asShortBuffer();
        float[] f = t.floats();
        for (int i = 0; i < len; i++) {
          float v = f[off + i];
          s.put(i, stored == SafetensorsDType.BF16 ? SafetensorsDType.floatToBf16(v) : SafetensorsDType.floatToHalf(v));
        }
      }
      buf.limit(len * size);
      AtomicFiles.writeFully(ch, buf);
    }
  }

  private static HostTensor readTensor(FileChannel ch, long dataStart, SafetensorsHeader.Entry e)
      throws IOException {
    int n = (int) e.elements();
    int size = e.dtype().bytes;
    float[] floats = e.dtype() == SafetensorsDType.I32 ? null : new float[n];
    int[] ints = e.dtype() == SafetensorsDType.I32 ? new int[n] : null;
    long bytes = e.end() - e.begin();
    int index = 0;
    for (long off = 0; off < bytes; off += CHUNK) {
      long len = Math.min(CHUNK, bytes - off);
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin() + off, len);
      mapped.order(ByteOrder.LITTLE_ENDIAN);
      int count = (int) (len / size);
      switch (e.dtype()) {
        case F32 -> mapped.asFloatBuffer().get(floats, index, count);
        case I32 -> mapped.asIntBuffer().get(ints, index, count);
        case F16 -> {
          ShortBuffer s = mapped.asShortBuffer();
          for (int i = 0; i < count; i++) {
            floats[index + i] = SafetensorsDType.halfToFloat(s.get(i));
          }
        }
        case BF16 -> {
          ShortBuffer s = mapped.asShortBuffer();
          for (int i = 0; i < count; i++) {
            floats[index + i] = SafetensorsDType.bf16ToFloat(s.get(i));
          }
        }
      }
      index += count;
    }
    return ints != null ? HostTensor.ofInts(ints, e.shape()) : HostTensor.of(floats, e.shape());
  }
}
