package dev.tandem.api.io;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors of safetensors files, read one at a time when asked for and not kept: iterating over
 * the entries and uploading each to an engine holds one tensor on the host at a time, not the whole
 * model twice (its widened F32 copy beside the engine's). Each {@link #get} reads the file again.
 * Shapes and dtypes come from the headers, validated when the files were opened.
 *
 * <p>A file that changes after it was opened (another size or modification time) is refused with a
 * {@link SafetensorsException} naming it, rather than read half old and half new.
 */
final class LazyTensors extends LazyMap {
  /** One stored tensor: its file (as opened) and header entry. */
  private record Source(Path file, Stamp stamp, long dataStart, SafetensorsHeader.Entry entry) {}

  /** What identifies a file's contents cheaply. */
  private record Stamp(long size, long modified, Object key) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
    }
  }

  /** Bytes read per call: the host holds this much of the raw data at a time. */
  private static final int CHUNK = 1 << 24;

  private final Map<String, Source> sources;

  private LazyTensors(Map<String, Source> sources) {
    super(sources.keySet(), name -> read(sources.get(name)));
    this.sources = sources;
  }

  /** Opens {@code file}: validates its header, reads no tensor data. */
  static LazyTensors open(Path file) throws IOException {
    Map<String, Source> out = new LinkedHashMap<>();
    add(file, out);
    return new LazyTensors(Collections.unmodifiableMap(out));
  }

  /** The tensors of several files (shards) by name, in the order given; names must be distinct. */
  static LazyTensors of(Map<String, LazyTensors> byName) {
    Map<String, Source> out = new LinkedHashMap<>();
    byName.forEach((name, from) -> out.put(name, from.sources.get(name)));
    return new LazyTensors(Collections.unmodifiableMap(out));
  }

  /** The same tensors under new names: {@code newToOld} maps each new name to a name here. */
  LazyTensors renamed(Map<String, String> newToOld) {
    Map<String, Source> out = new LinkedHashMap<>();
    newToOld.forEach((n, o) -> out.put(n, java.util.Objects.requireNonNull(sources.get(o), o)));
    return new LazyTensors(Collections.unmodifiableMap(out));
  }

  private static void add(Path file, Map<String, Source> out) throws IOException {
    Stamp stamp = Stamp.of(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SafetensorsHeader header = SafetensorsHeader.read(file, ch);
      for (SafetensorsHeader.Entry e : header.entries.values()) {
        out.put(e.name(), new Source(file, stamp, header.dataStart, e));
      }
    }
  }

  /** The stored shape of {@code name}; null if there is no such tensor. */
  Shape shape(String name) {
    Source s = sources.get(name);
    return s == null ? null : Shape.of(s.entry().shape());
  }

  /** The dtype {@code name} reads as ({@code INT32} for I32, else {@code FLOAT32}); null if absent. */
  DType dtype(String name) {
    Source s = sources.get(name);
    return s == null ? null : s.entry().dtype() == SafetensorsDType.I32 ? DType.INT32 : DType.FLOAT32;
  }

  /** The stored dtype of {@code name} ({@code F32}, {@code BF16}, {@code F16}, {@code I32}). */
  String storedType(String name) {
    Source s = sources.get(name);
    return s == null ? null : s.entry().dtype().name();
  }

  private static HostTensor read(Source s) {
    SafetensorsHeader.Entry e = s.entry();
    try (FileChannel ch = FileChannel.open(s.file(), StandardOpenOption.READ)) {
      if (!Stamp.of(s.file()).equals(s.stamp())) {
        throw new SafetensorsException(s.file(), "changed since it was opened (reading tensor "
            + e.name() + "); load the model again");
      }
      int n = (int) e.elements();
      int size = e.dtype().bytes;
      boolean ints = e.dtype() == SafetensorsDType.I32;
      float[] floats = ints ? null : new float[n];
      int[] is = ints ? new int[n] : null;
      long bytes = e.end() - e.begin();
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(bytes, 1)))
          .order(ByteOrder.LITTLE_ENDIAN);
      long pos = s.dataStart() + e.begin();
      int index = 0;
      for (long off = 0; off < bytes; ) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), bytes - off));
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + off + buf.position()) < 0) {
            throw new SafetensorsException(s.file(), "ends inside tensor " + e.name());
          }
        }
        buf.flip();
        int count = buf.remaining() / size;
        switch (e.dtype()) {
          case F32 -> buf.asFloatBuffer().get(floats, index, count);
          case I32 -> buf.asIntBuffer().get(is, index, count);
          case F16 -> {
            for (int i = 0; i < count; i++) {
              floats[index + i] = SafetensorsDType.halfToFloat(buf.getShort(2 * i));
            }
          }
          case BF16 -> {
            for (int i = 0; i < count; i++) {
              floats[index + i] = SafetensorsDType.bf16ToFloat(buf.getShort(2 * i));
            }
          }
        }
        index += count;
        off += (long) count * size;
      }
      return ints ? HostTensor.ofInts(is, e.shape()) : HostTensor.of(floats, e.shape());
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read tensor " + e.name() + " from " + s.file(), ex);
    }
  }
}
