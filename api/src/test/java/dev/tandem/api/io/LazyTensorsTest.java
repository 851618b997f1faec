package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights read one tensor at a time from their files: the same values, shapes from the header. */
class LazyTensorsTest {
  @TempDir Path dir;

  @Test
  void readsEachTensorWhenAskedLikeTheEagerReader() throws IOException {
    // 5M floats: more than one 16 MiB read of BF16 data and of F32 data
    float[] big = new float[5_000_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) Math.sin(i * 0.001);
    }
    Map<String, HostTensor> t = new LinkedHashMap<>();
    t.put("big", HostTensor.of(big, 1000, 5000));
    t.put("ids", HostTensor.ofInts(new int[] {1, 2, 3}, 3));
    for (String type : List.of("F32", "BF16")) {
      Path f = dir.resolve(type + ".safetensors");
      Safetensors.write(f, t, Map.of(), type);
      LazyTensors lazy = LazyTensors.open(f);
      Map<String, HostTensor> eager = Safetensors.read(f);
      assertEquals(Shape.of(1000, 5000), lazy.shape("big"));
      assertEquals(DType.FLOAT32, lazy.dtype("big"));
      assertEquals(DType.INT32, lazy.dtype("ids"));
      assertEquals(type, lazy.storedType("big"));
      assertArrayEquals(eager.get("big").floats(), lazy.get("big").floats());
      assertEquals(eager, lazy);
    }
  }

  @Test
  void refusesAFileThatChangedSinceItWasOpened() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, Map.of("x", HostTensor.of(new float[] {1, 2, 3}, 3)));
    LazyTensors lazy = LazyTensors.open(f);
    Safetensors.write(f, Map.of("x", HostTensor.of(new float[] {4, 5, 6, 7}, 4)));
    Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> lazy.get("x"));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getCause().getMessage().contains("changed since it was opened"), e.getCause().getMessage());
  }

  @Test
  void viewsConcatenateAndPrefixWithoutReading() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, Map.of("a", HostTensor.of(new float[] {1}, 1), "b", HostTensor.of(new float[] {2}, 1)));
    LazyTensors lazy = LazyTensors.open(f);
    Map<String, HostTensor> extra = new LinkedHashMap<>();
    extra.put("c", HostTensor.of(new float[] {3}, 1));
    extra.put("b", HostTensor.of(new float[] {9}, 1));
    Map<String, HostTensor> all = TensorMaps.concat(lazy, extra);
    assertEquals(List.of("a", "b", "c"), List.copyOf(all.keySet()));
    assertEquals(9f, all.get("b").item(), "a later part replaces an earlier one");
    Map<String, HostTensor> p = TensorMaps.prefixed("m.", lazy);
    assertEquals(List.of("m.a", "m.b"), List.copyOf(p.keySet()));
    assertEquals(2f, p.get("m.b").item());
    assertEquals(Map.of("m.a", HostTensor.of(new float[] {1}, 1), "m.b", HostTensor.of(new float[] {2}, 1)), p);
  }
}
