package dev.tandem.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The weights of a model directory as Hugging Face lays them out: one {@value #SINGLE}, or shards
 * listed by {@value #INDEX} ({@code {"metadata": {"total_size": N}, "weight_map": {name: file}}}).
 * Float tensors are read into F32 whatever their stored dtype (F32, BF16, F16) and written back in
 * the dtype asked for; shards are written when the total exceeds {@link #MAX_SHARD_BYTES}, named as
 * transformers names them ({@code model-00001-of-00002.safetensors}).
 *
 * <p>The index is untrusted: a shard name must be a plain file name in the directory ending in
 * {@code .safetensors}, every listed tensor must be in its shard, and every tensor of a shard must be
 * listed; each violation is a {@link ModelFormatException} naming the file and the key.
 */
public final class CheckpointFiles {
  /** The single-file layout. */
  public static final String SINGLE = "model.safetensors";

  /** The index of a sharded checkpoint. */
  public static final String INDEX = "model.safetensors.index.json";

  /** Largest shard written (transformers' default {@code max_shard_size}, 5 GB). */
  public static final long MAX_SHARD_BYTES = 5_000_000_000L;

  private static final Pattern SHARD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}\\.safetensors");

  private CheckpointFiles() {}

  /**
   * Weights read from a directory.
   *
   * @param tensors by checkpoint name, in name order; each value is read from its file when asked
   *     for and not kept (iterate once to upload them: the host holds one tensor at a time)
   * @param floatType the stored dtype of most float tensors ({@code F32}, {@code BF16} or {@code F16}):
   *     what saving writes back
   */
  public record Stored(Map<String, HostTensor> tensors, String floatType) {
    /** The stored shape of tensor {@code name} (from the header, without reading it); null if absent. */
    public dev.tandem.api.tensor.Shape shape(String name) {
      return tensors instanceof LazyTensors l ? l.shape(name)
          : tensors.containsKey(name) ? tensors.get(name).shape() : null;
    }

    /** The dtype tensor {@code name} reads as, without reading it; null if absent. */
    public DType dtype(String name) {
      return tensors instanceof LazyTensors l ? l.dtype(name)
          : tensors.containsKey(name) ? tensors.get(name).dtype() : null;
    }
  }

  /** Whether {@code dir} holds weights in either layout. */
  public static boolean present(Path dir) {
    return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
  }

  /** The file whose bytes identify the weights: {@value #SINGLE}, else {@value #INDEX}. */
  public static Path identifyingFile(Path dir) {
    return Files.isRegularFile(dir.resolve(SINGLE)) ? dir.resolve(SINGLE) : dir.resolve(INDEX);
  }

  /**
   * Reads the weights of {@code dir}: {@value #SINGLE} when present, else the shards of {@value
   * #INDEX}.
   *
   * @throws ModelFormatException naming the directory when neither exists, or the file and key at
   *     fault
   */
  public static Stored read(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    Map<String, String> listed = null;
    if (Files.isRegularFile(dir.resolve(SINGLE))) {
      files.add(dir.resolve(SINGLE));
    } else if (Files.isRegularFile(dir.resolve(INDEX))) {
      listed = readIndex(dir.resolve(INDEX));
      for (String f : new java.util.TreeSet<>(listed.values())) {
        Path shard = dir.resolve(f);
        if (!Files.isRegularFile(shard)) {
          throw new ModelFormatException(dir.resolve(INDEX), "shard " + f + " (listed in weight_map) is not in " + dir);
        }
        files.add(shard);
      }
    } else {
      throw new ModelFormatException(dir, "no weights: neither " + SINGLE + " nor " + INDEX);
    }
    Map<String, LazyTensors> all = new TreeMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Path f : files) {
      LazyTensors shard = LazyTensors.open(f);
      for (String name : shard.keySet()) {
        if (listed != null && !f.getFileName().toString().equals(listed.get(name))) {
          throw new ModelFormatException(
              f, "tensor " + name + " is not listed for this shard in " + INDEX
                  + (listed.containsKey(name) ? " (listed in " + listed.get(name) + ")" : ""));
        }
        if (all.put(name, shard) != null) {
          throw new ModelFormatException(f, "tensor " + name + " appears in two shards");
        }
        if (shard.dtype(name) == DType.FLOAT32) {
          counts.merge(shard.storedType(name), 1, Integer::sum);
        }
      }
    }
    if (listed != null) {
      for (Map.Entry<String, String> e : listed.entrySet()) {
        if (!all.containsKey(e.getKey())) {
          throw new ModelFormatException(dir.resolve(e.getValue()), "missing tensor " + e.getKey() + " (listed in " + INDEX + ")");
        }
      }
    }
    String floatType =
        counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("F32");
    return new Stored(LazyTensors.of(all), floatType);
  }

  /** The {@code weight_map} of an index file, validated. */
  static Map<String, String> readIndex(Path index) throws IOException {
    ObjectNode root = JsonFiles.readObject(index);
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new ModelFormatException(index, "weight_map must be an object of tensor name: shard file");
    }
    if (map.isEmpty()) {
      throw new ModelFormatException(index, "weight_map is empty");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode f = e.getValue();
      if (!f.isTextual() || !SHARD_NAME.matcher(f.textValue()).matches() || f.textValue().contains("..")) {
        throw new ModelFormatException(
            index, "weight_map." + e.getKey() + " must name a .safetensors file in the same directory, not " + f);
      }
      out.put(e.getKey(), f.textValue());
    }
    return out;
  }

  /**
   * Writes {@code tensors} into the existing directory {@code dir}: one {@value #SINGLE} up to
   * {@link #MAX_SHARD_BYTES}, else shards and {@value #INDEX}; each file atomically.
   *
   * @param floatType {@code F32}, {@code BF16} or {@code F16}
   */
  public static void write(Path dir, Map<String, HostTensor> tensors, String floatType) throws IOException {
    write(dir, tensors, floatType, MAX_SHARD_BYTES);
  }

  /** As {@link #write(Path, Map, String)} with another shard size (for tests). */
  public static void write(Path dir, Map<String, HostTensor> tensors, String floatType, long maxShardBytes)
      throws IOException {
    int floatBytes = floatType.equals("F32") ? 4 : 2;
    List<Map<String, HostTensor>> shards = new ArrayList<>();
    Map<String, HostTensor> current = new TreeMap<>();
    long currentBytes = 0;
    long total = 0;
    for (Map.Entry<String, HostTensor> e : new TreeMap<>(tensors).entrySet()) {
      long bytes = (long) e.getValue().shape().size() * (e.getValue().dtype() == DType.INT32 ? 4 : floatBytes);
      if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new TreeMap<>();
        currentBytes = 0;
      }
      current.put(e.getKey(), e.getValue());
      currentBytes += bytes;
      total += bytes;
    }
    shards.add(current);
    Map<String, String> meta = Map.of("format", "pt");
    if (shards.size() == 1) {
      Safetensors.write(dir.resolve(SINGLE), shards.get(0), meta, floatType);
      Files.deleteIfExists(dir.resolve(INDEX));
      return;
    }
    ObjectNode index = JsonFiles.newObject();
    index.putObject("metadata").put("total_size", total);
    ObjectNode map = index.putObject("weight_map");
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      Safetensors.write(dir.resolve(name), shards.get(i), meta, floatType);
      for (String k : shards.get(i).keySet()) {
        map.put(k, name);
      }
    }
    JsonFiles.write(dir.resolve(INDEX), index);
    Files.deleteIfExists(dir.resolve(SINGLE));
  }
}
