package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  /** The bytes of a safetensors file: u64 LE header length, header, data. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static byte[] ints(int... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int i : v) {
      b.putInt(i);
    }
    return b.array();
  }

  static byte[] shorts(int... v) {
    ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int s : v) {
      b.putShort((short) s);
    }
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  Path write(String header, byte[] data) throws IOException {
    return Files.write(dir.resolve("m.safetensors"), file(header, data));
  }

  /** Reading {@code header + data} fails with a message that starts with the path and contains {@code expected}. */
  void assertRejected(String header, byte[] data, String expected) throws IOException {
    Path f = write(header, data);
    assertRejected(f, expected);
  }

  static void assertRejected(Path f, String expected) {
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    assertEquals(f, e.file());
  }

  @Test
  void roundTripKeepsValuesShapesTypesAndMetadata() throws IOException {
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    tensors.put("wte", HostTensor.of(new float[] {1.5f, -2f, Float.MIN_VALUE, Float.NaN, 3e38f, -0f}, 3, 2));
    tensors.put("ids", HostTensor.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, 7}, 4));
    tensors.put("scalar", HostTensor.scalar(0.25f));
    tensors.put("empty", HostTensor.of(new float[0], 0, 5));
    Path f = dir.resolve("sub/model.safetensors");
    Safetensors.write(f, tensors, Map.of("format", "pt", "step", "12"));

    Map<String, HostTensor> back = Safetensors.read(f);
    assertEquals(List.of("empty", "ids", "scalar", "wte"), List.copyOf(back.keySet()));
    for (String name : tensors.keySet()) {
      assertEquals(tensors.get(name), back.get(name), name);
    }
    assertEquals(DType.INT32, back.get("ids").dtype());
    assertEquals(Map.of("format", "pt", "step", "12"), Safetensors.readMetadata(f));
    assertFalse(Files.exists(dir.resolve("sub/model.safetensors.tmp")));
  }

  @Test
  void writtenLayoutFollowsTheSpec() throws IOException {
    Path f = dir.resolve("a.safetensors");
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    tensors.put("b", HostTensor.ofInts(new int[] {5, 6}, 2));
    tensors.put("a", HostTensor.of(new float[] {1f}, 1));
    Safetensors.write(f, tensors);
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = buf.getLong(0);
    assertEquals(0, n % 8, "header padded to a multiple of 8");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertEquals(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
        header.stripTrailing());
    assertEquals(8 + n + 12, bytes.length);
    assertEquals(1f, buf.getFloat(8 + (int) n));
    assertEquals(5, buf.getInt(8 + (int) n + 4));
    assertEquals(6, buf.getInt(8 + (int) n + 8));
  }

  @Test
  void readsAHandBuiltFileOfEveryDtype() throws IOException {
    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"f32\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
            + "\"i32\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            + "\"f16\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[12,22]},"
            + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[22,28]}}";
    byte[] data =
        concat(
            floats(1.25f, -3f),
            ints(42),
            // F16: 1.0, -2.0, 65504 (max), smallest subnormal 2^-24, +infinity
            shorts(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00),
            // BF16: 1.0, -0.5, 3.140625
            shorts(0x3f80, 0xbf00, 0x4049));
    Path f = write(header, data);
    Map<String, HostTensor> t = Safetensors.read(f);
    assertEquals(HostTensor.of(new float[] {1.25f, -3f}, 2, 1), t.get("f32"));
    assertEquals(HostTensor.ofInts(new int[] {42}, 1), t.get("i32"));
    assertArrayEquals(
        new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, t.get("f16").floats());
    assertEquals(DType.FLOAT32, t.get("f16").dtype());
    assertArrayEquals(new float[] {1f, -0.5f, 3.140625f}, t.get("bf16").floats());
    assertEquals(Map.of("format", "pt"), Safetensors.readMetadata(f));
  }

  @Test
  void rejectsTruncatedFiles() throws IOException {
    Path tiny = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
    assertRejected(tiny, "too short");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", floats(1, 2), "truncated");
  }

  @Test
  void rejectsAHeaderLongerThanTheFile() throws IOException {
    Path f = dir.resolve("long.safetensors");
    ByteBuffer b = ByteBuffer.allocate(1234).order(ByteOrder.LITTLE_ENDIAN).putLong(9_999_999_999L);
    Files.write(f, b.array());
    assertRejected(f, "header length 9999999999 exceeds file size 1234");
    b.putLong(0, -1L); // u64 max
    Files.write(f, b.array());
    assertRejected(f, "header length 18446744073709551615 exceeds file size 1234");
  }

  @Test
  void rejectsAHeaderOverTheLimitEvenInAHugeFile() throws IOException {
    Path f = dir.resolve("sparse.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(200_000_000L); // sparse: costs no disk
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(150_000_000L).array());
    }
    assertRejected(f, "header length 150000000 exceeds the limit of 100000000 bytes");
  }

  @Test
  void rejectsMalformedHeaders() throws IOException {
    assertRejected("{\"w\": [", new byte[0], "header is not valid JSON at line 1 column");
    assertRejected("[1, 2]  ", new byte[0], "header is not a JSON object");
    assertRejected("", new byte[0], "header is not a JSON object");
    assertRejected("{} {}", new byte[0], "not valid JSON");
    Path f = dir.resolve("latin1.safetensors");
    Files.write(f, file("{\"caf\u00e9\":1}", new byte[0]));
    byte[] bytes = Files.readAllBytes(f);
    bytes[8 + 5] = (byte) 0xff; // break the UTF-8 of the name
    Files.write(f, bytes);
    assertRejected(f, "header is not valid UTF-8");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
        floats(1, 2),
        "Duplicate field 'w'");
  }

  @Test
  void rejectsEntriesWithMissingOrMistypedFields() throws IOException {
    assertRejected("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1), "tensor 'w': missing \"dtype\"");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", floats(1), "tensor 'w': missing \"shape\"");
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", floats(1), "tensor 'w': missing \"data_offsets\"");
    assertRejected("{\"w\":7}", floats(1), "tensor 'w': entry must be an object");
    assertRejected("{\"w\":{\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1), "\"dtype\" must be a string");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", floats(1), "non-negative integers");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", floats(1), "non-negative integers");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", floats(1), "non-negative integers");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", floats(1), "\"data_offsets\" must be [begin, end]");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", floats(1), "\"data_offsets\" must be [begin, end]");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", floats(1), "end before they begin");
    assertRejected("{\"__metadata__\":{\"a\":1}}", new byte[0], "__metadata__ value of \"a\" must be a string");
    assertRejected("{\"__metadata__\":[]}", new byte[0], "__metadata__ must be an object");
  }

  @Test
  void rejectsOffsetsOutOfRangeOverlapsHolesAndTrailingBytes() throws IOException {
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
        floats(1, 2),
        "tensor 'w': data_offsets [8,12] exceed the data buffer of 8 bytes");
    assertRejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
        floats(1, 2, 3),
        "tensors 'a' data_offsets [0, 8] and 'b' data_offsets [4, 12] overlap");
    assertRejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
        floats(1, 2, 3),
        "bytes [4, 8) of the data buffer belong to no tensor");
    assertRejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        floats(1, 2),
        "bytes [4, 8) at the end of the data buffer belong to no tensor");
  }

  @Test
  void rejectsSizeMismatchesAndHugeShapesWithoutAllocating() throws IOException {
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        floats(1, 2),
        "tensor 'w': data_offsets [0,8] hold 8 bytes but shape [3] of F32 needs 12");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000000000],\"data_offsets\":[0,8]}}",
        floats(1, 2),
        "needs 4000000000000000000");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,8]}}",
        floats(1, 2),
        "dimension 3000000000 of shape [3000000000] is too large");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2000000000,2000000000,2000000000],\"data_offsets\":[0,8]}}",
        floats(1, 2),
        "has more than 2^63 elements");
    assertRejected(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999999]}}",
        floats(1),
        "\"data_offsets\" must be [begin, end]");
  }

  @Test
  void rejectsUnsupportedDtypesNamingTheTensor() throws IOException {
    assertRejected(
        "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
        floats(1, 2),
        "tensor 'w' has dtype F64, which Tandem does not read (supported: F32, I32, F16, BF16)");
    assertRejected(
        "{\"q\":{\"dtype\":\"Q4_K\",\"shape\":[1],\"data_offsets\":[0,8]}}", floats(1, 2), "tensor 'q' has dtype Q4_K");
  }

  @Test
  void writeIsAtomicAndRejectsBadNames() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, Map.of("a", HostTensor.scalar(1f)));
    SafetensorsException e =
        assertThrows(
            SafetensorsException.class,
            () -> Safetensors.write(f, Map.of("__metadata__", HostTensor.scalar(2f))));
    assertTrue(e.getMessage().startsWith(f + ": invalid tensor name"), e.getMessage());
    assertEquals(HostTensor.scalar(1f), Safetensors.read(f).get("a"), "old file untouched");
    Safetensors.write(f, Map.of("b", HostTensor.scalar(3f)));
    assertEquals(List.of("b"), List.copyOf(Safetensors.read(f).keySet()));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList(), "no temporary file left");
    }
  }
}
