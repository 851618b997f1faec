package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.api.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigsTest {
  @TempDir Path dir;

  Path config(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  void assertRejected(String json, String expected) throws IOException {
    Path f = config(json);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelConfigs.read(f));
    assertTrue(e.getMessage().startsWith(f + ": " + expected), e.getMessage());
  }

  @Test
  void roundTripsWithGpt2FieldNamesPrettyPrinted() throws IOException {
    ModelConfig c = new ModelConfig(261, 4, 4, 128, 256, 1e-6f);
    Path f = dir.resolve("config.json");
    ModelConfigs.write(f, c);
    assertEquals(c, ModelConfigs.read(f));
    String text = Files.readString(f);
    assertTrue(text.contains("\n  \"n_layer\" : 4"), text);
    JsonNode node = JsonFiles.readObject(f);
    assertEquals("gpt2", node.get("model_type").asText());
    assertEquals(512, node.get("n_inner").asInt());
    assertEquals(256, node.get("n_positions").asInt());
  }

  @Test
  void readsAHuggingFaceGpt2ConfigIgnoringUnknownFields() throws IOException {
    Path f =
        config(
            "{\"activation_function\": \"gelu_new\", \"architectures\": [\"GPT2LMHeadModel\"],"
                + " \"n_ctx\": 1024, \"n_embd\": 768, \"n_head\": 12, \"n_inner\": null, \"n_layer\": 12,"
                + " \"n_positions\": 1024, \"vocab_size\": 50257, \"resid_pdrop\": 0.1}");
    assertEquals(new ModelConfig(50257, 12, 12, 768, 1024, 1e-5f), ModelConfigs.read(f));
  }

  @Test
  void reportsFieldsByName() throws IOException {
    String ok = "\"vocab_size\": 261, \"n_layer\": 2, \"n_embd\": 64, \"n_positions\": 128";
    assertRejected("{" + ok + ", \"n_head\": 0}", "n_head must be a positive integer, not 0");
    assertRejected("{" + ok + "}", "missing required field n_head");
    assertRejected("{" + ok + ", \"n_head\": \"4\"}", "n_head must be a positive integer, not \"4\"");
    assertRejected("{" + ok + ", \"n_head\": 2.5}", "n_head must be a positive integer, not 2.5");
    assertRejected("{" + ok + ", \"n_head\": 3}", "n_embd (64) must be divisible by n_head (3)");
    assertRejected("{" + ok + ", \"n_head\": 4, \"n_inner\": 100}", "n_inner 100 is not supported");
    assertRejected("{" + ok + ", \"n_head\": 4, \"activation_function\": \"relu\"}", "activation_function \"relu\"");
    assertRejected("{" + ok + ", \"n_head\": 4, \"layer_norm_epsilon\": 5}", "layer_norm_epsilon must be in (0, 0.1]");
    assertRejected("{\n  \"n_layer\": 2,\n  \"n_head\" 4\n}", "not valid JSON at line 3 column 12");
    assertRejected("[]", "expected a JSON object, found array");
    assertRejected("", "empty file");
  }
}
