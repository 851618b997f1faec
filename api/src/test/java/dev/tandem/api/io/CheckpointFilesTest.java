package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
  @TempDir Path dir;

  static Map<String, HostTensor> tensors() {
    Random r = new Random(1);
    Map<String, HostTensor> m = new LinkedHashMap<>();
    for (String n : new String[] {"a.weight", "b.weight", "c.bias"}) {
      float[] v = new float[12];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      m.put(n, HostTensor.of(v, 3, 4));
    }
    return m;
  }

  @Test
  void shardsWhenLargerThanTheShardSizeAndReadsThemBack() throws IOException {
    CheckpointFiles.write(dir, tensors(), "F32", 60);
    assertTrue(Files.isRegularFile(dir.resolve("model-00001-of-00003.safetensors")));
    assertTrue(Files.isRegularFile(dir.resolve(CheckpointFiles.INDEX)));
    assertTrue(!Files.exists(dir.resolve(CheckpointFiles.SINGLE)));
    CheckpointFiles.Stored s = CheckpointFiles.read(dir);
    assertEquals(tensors(), s.tensors());
    assertEquals("F32", s.floatType());
    assertEquals(144, JsonFiles.readObject(dir.resolve(CheckpointFiles.INDEX)).get("metadata").get("total_size").asInt());
  }

  @Test
  void bf16AndF16RoundToNearestEvenAndReportTheirType() throws IOException {
    Map<String, HostTensor> t = Map.of("x", HostTensor.of(new float[] {1f, 1.00390625f, 1.01171875f, -3.1415927f, 65520f, 1e-8f}, 6));
    CheckpointFiles.write(dir, t, "BF16");
    CheckpointFiles.Stored s = CheckpointFiles.read(dir);
    assertEquals("BF16", s.floatType());
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1); 1 + 3*2^-8 ties up to 1 + 2^-6
    assertEquals(1f, s.tensors().get("x").floats()[1]);
    assertEquals(1.015625f, s.tensors().get("x").floats()[2]);
    assertEquals(-3.140625f, s.tensors().get("x").floats()[3]);
    CheckpointFiles.write(dir, t, "F16");
    s = CheckpointFiles.read(dir);
    assertEquals("F16", s.floatType());
    assertEquals(-3.140625f, s.tensors().get("x").floats()[3]);
    assertEquals(Float.POSITIVE_INFINITY, s.tensors().get("x").floats()[4], "65520 overflows half");
    assertEquals(0f, s.tensors().get("x").floats()[5], "1e-8 underflows half");
  }

  @Test
  void rejectsAHostileIndexNamingTheFileAndKey() throws IOException {
    CheckpointFiles.write(dir, tensors(), "F32", 60);
    Path index = dir.resolve(CheckpointFiles.INDEX);
    String good = Files.readString(index);

    Files.writeString(index, good.replace("\"model-00002-of-00003.safetensors\"", "\"../../etc/passwd.safetensors\""));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> CheckpointFiles.read(dir));
    assertEquals(index + ": weight_map.b.weight must name a .safetensors file in the same directory, not \"../../etc/passwd.safetensors\"", e.getMessage());

    Files.writeString(index, good.replace("\"model-00002-of-00003.safetensors\"", "\"model-00009-of-00009.safetensors\""));
    e = assertThrows(ModelFormatException.class, () -> CheckpointFiles.read(dir));
    assertEquals(index + ": shard model-00009-of-00009.safetensors (listed in weight_map) is not in " + dir, e.getMessage());

    Files.writeString(index, good.replace("\"b.weight\"", "\"b2.weight\""));
    e = assertThrows(ModelFormatException.class, () -> CheckpointFiles.read(dir));
    assertTrue(e.getMessage().contains("tensor b.weight is not listed for this shard"), e.getMessage());

    Files.writeString(index, "{\"weight_map\": []}");
    e = assertThrows(ModelFormatException.class, () -> CheckpointFiles.read(dir));
    assertEquals(index + ": weight_map must be an object of tensor name: shard file", e.getMessage());

    Files.writeString(index, "{\"weight_map\": {\"a.weight\": \"model-00001-of-00003.safetensors\", ");
    assertThrows(ModelFormatException.class, () -> CheckpointFiles.read(dir));
  }

  @Test
  void namesADirectoryWithoutWeights() {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> CheckpointFiles.read(dir));
    assertEquals(dir + ": no weights: neither model.safetensors nor model.safetensors.index.json", e.getMessage());
  }
}
