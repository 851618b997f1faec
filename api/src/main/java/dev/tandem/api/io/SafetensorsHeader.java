package dev.tandem.api.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed and fully validated safetensors header: every check happens here, before any tensor
 * data is allocated.
 */
final class SafetensorsHeader {
  /** Largest header accepted (the reference implementation uses the same limit). */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA = "__metadata__";

  static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** One tensor's entry; offsets are relative to the start of the data buffer. */
  record Entry(String name, SafetensorsDType dtype, int[] shape, long begin, long end) {
    long elements() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  final Path file;
  /** Absolute file position of the data buffer. */
  final long dataStart;

  final long bufferSize;
  /** Entries by name, in name order. */
  final Map<String, Entry> entries;

  final Map<String, String> metadata;

  private SafetensorsHeader(
      Path file, long dataStart, long bufferSize, Map<String, Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.bufferSize = bufferSize;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Reads and validates the header of an open file. */
  static SafetensorsHeader read(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw error(file, "file is " + size + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lengthBytes, 0);
    long n = lengthBytes.getLong(0);
    if (n < 0 || n > size - 8) {
      throw error(file, "header length " + Long.toUnsignedString(n) + " exceeds file size " + size);
    }
    if (n > MAX_HEADER_BYTES) {
      throw error(file, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
    readFully(ch, headerBytes, 8);
    headerBytes.flip();
    String text;
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(headerBytes);
      text = chars.toString();
    } catch (CharacterCodingException e) {
      throw error(file, "header is not valid UTF-8");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw error(file, "header is " + JsonFiles.describe(e), e);
    }
    if (root == null || !root.isObject()) {
      throw error(file, "header is not a JSON object");
    }
    long dataStart = 8 + n;
    return parse(file, root, dataStart, size - dataStart);
  }

  private static SafetensorsHeader parse(Path file, JsonNode root, long dataStart, long bufferSize)
      throws SafetensorsException {
    Map<String, String> metadata = Map.of();
    Map<String, Entry> entries = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals(METADATA)) {
        metadata = metadata(file, field.getValue());
      } else {
        Entry e = entry(file, field.getKey(), field.getValue(), bufferSize);
        entries.put(e.name(), e);
      }
    }
    checkCoverage(file, entries.values(), bufferSize);
    return new SafetensorsHeader(
        file,
        dataStart,
        bufferSize,
        Collections.unmodifiableMap(new LinkedHashMap<>(entries)),
        metadata);
  }

  private static Map<String, String> metadata(Path file, JsonNode node) throws SafetensorsException {
    if (!node.isObject()) {
      throw error(file, METADATA + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getValue().isTextual()) {
        throw error(file, METADATA + " value of \"" + f.getKey() + "\" must be a string, not " + f.getValue());
      }
      out.put(f.getKey(), f.getValue().textValue());
    }
    return Collections.unmodifiableMap(out);
  }

  private static Entry entry(Path file, String name, JsonNode node, long bufferSize)
      throws SafetensorsException {
    String where = "tensor '" + name + "'";
    if (!node.isObject()) {
      throw error(file, where + ": entry must be an object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = required(file, where, node, "dtype");
    JsonNode shapeNode = required(file, where, node, "shape");
    JsonNode offsetsNode = required(file, where, node, "data_offsets");
    if (!dtypeNode.isTextual()) {
      throw error(file, where + ": \"dtype\" must be a string, not " + dtypeNode);
    }
    SafetensorsDType dtype = SafetensorsDType.parse(dtypeNode.textValue());
    if (dtype == null) {
      throw error(
          file,
          where + " has dtype " + dtypeNode.textValue() + ", which Tandem does not read (supported: "
              + SafetensorsDType.supported() + ")");
    }
    if (!shapeNode.isArray()) {
      throw error(file, where + ": \"shape\" must be an array of non-negative integers, not " + shapeNode);
    }
    int[] shape = new int[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      long d = nonNegativeLong(shapeNode.get(i));
      if (d < 0) {
        throw error(file, where + ": \"shape\" must be an array of non-negative integers, not " + shapeNode);
      }
      if (d > Integer.MAX_VALUE) {
        throw error(file, where + ": dimension " + d + " of shape " + shapeNode + " is too large");
      }
      shape[i] = (int) d;
      try {
        elements = Math.multiplyExact(elements, d);
      } catch (ArithmeticException e) {
        throw error(file, where + ": shape " + shapeNode + " has more than 2^63 elements");
      }
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(elements, (long) dtype.bytes);
    } catch (ArithmeticException e) {
      throw error(file, where + ": shape " + shapeNode + " of " + dtype + " needs more than 2^63 bytes");
    }
    if (!offsetsNode.isArray()
        || offsetsNode.size() != 2
        || nonNegativeLong(offsetsNode.get(0)) < 0
        || nonNegativeLong(offsetsNode.get(1)) < 0) {
      throw error(file, where + ": \"data_offsets\" must be [begin, end] with non-negative integers, not " + offsetsNode);
    }
    long begin = offsetsNode.get(0).longValue();
    long end = offsetsNode.get(1).longValue();
    if (begin > end) {
      throw error(file, where + ": data_offsets " + offsetsNode + " end before they begin");
    }
    if (end > bufferSize) {
      throw error(
          file,
          where + ": data_offsets " + offsetsNode + " exceed the data buffer of " + bufferSize
              + " bytes (truncated file?)");
    }
    if (end - begin != bytes) {
      throw error(
          file,
          where + ": data_offsets " + offsetsNode + " hold " + (end - begin) + " bytes but shape "
              + shapeNode + " of " + dtype + " needs " + bytes);
    }
    if (elements > Integer.MAX_VALUE - 8) {
      throw error(file, where + ": " + elements + " elements do not fit in a Java array");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /** Tensors must tile the data buffer exactly: no overlaps, no holes, nothing after the last. */
  private static void checkCoverage(Path file, java.util.Collection<Entry> entries, long bufferSize)
      throws SafetensorsException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long covered = 0;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.begin() < covered) {
        throw error(
            file,
            "tensors '" + previous.name() + "' " + offsets(previous) + " and '" + e.name() + "' "
                + offsets(e) + " overlap");
      }
      if (e.begin() > covered) {
        throw error(file, "bytes [" + covered + ", " + e.begin() + ") of the data buffer belong to no tensor");
      }
      covered = e.end();
      previous = e;
    }
    if (covered != bufferSize) {
      throw error(
          file,
          "bytes [" + covered + ", " + bufferSize + ") at the end of the data buffer belong to no tensor");
    }
  }

  private static String offsets(Entry e) {
    return "data_offsets [" + e.begin() + ", " + e.end() + "]";
  }

  private static JsonNode required(Path file, String where, JsonNode node, String field)
      throws SafetensorsException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw error(file, where + ": missing \"" + field + "\"");
    }
    return v;
  }

  /** The value of an integral JSON number in [0, 2^63), or -1 for anything else. */
  private static long nonNegativeLong(JsonNode n) {
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      return -1;
    }
    return n.longValue() < 0 ? -1 : n.longValue();
  }

  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new java.io.EOFException("unexpected end of file at byte " + pos);
      }
      pos += r;
    }
  }

  private static SafetensorsException error(Path file, String problem) {
    return new SafetensorsException(file, problem);
  }

  private static SafetensorsException error(Path file, String problem, Throwable cause) {
    return new SafetensorsException(file, problem, cause);
  }

  @Override
  public String toString() {
    return file + ": " + entries.size() + " tensors " + Arrays.toString(entries.keySet().toArray());
  }
}
