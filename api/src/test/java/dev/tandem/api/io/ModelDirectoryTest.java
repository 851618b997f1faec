package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
  @TempDir Path root;

  final ModelConfig config = ModelConfig.of(261, 1, 2, 4, 16);
  final Map<String, HostTensor> weights = new Gpt(config).initialWeights(1);

  @Test
  void savesAndLoadsAllThreeFiles() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    ModelDirectory m = ModelDirectory.load(dir);
    assertEquals(dir, m.path());
    assertEquals(config, m.config());
    assertEquals(new ByteTokenizer(), m.tokenizer());
    assertEquals(weights, m.weights());
    assertEquals(List.copyOf(weights.keySet()), List.copyOf(m.weights().keySet()), "the model's parameter order");
    assertEquals(Map.of("format", "pt"), Safetensors.readMetadata(dir.resolve(ModelDirectory.WEIGHTS)));
    try (var files = Files.list(root)) {
      assertEquals(List.of(dir), files.toList(), "no staging directory left");
    }
  }

  @Test
  void saveReplacesAnExistingDirectoryWhole() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    Files.writeString(dir.resolve("stale.txt"), "old");
    ModelConfig bigger = ModelConfig.of(300, 2, 2, 4, 16);
    Map<String, HostTensor> biggerWeights = new Gpt(bigger).initialWeights(2);
    ModelDirectory.save(dir, bigger, new ByteTokenizer(List.of("<|tool|>")), biggerWeights);
    ModelDirectory m = ModelDirectory.load(dir);
    assertEquals(bigger, m.config());
    assertEquals(262, m.tokenizer().vocabSize());
    assertEquals(biggerWeights, m.weights());
    assertFalse(Files.exists(dir.resolve("stale.txt")));
    try (var files = Files.list(root)) {
      assertEquals(List.of(dir), files.toList(), "old directory deleted");
    }
  }

  @Test
  void aFailedSaveLeavesTheOldModelAndNoLeftovers() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    assertThrows(
        IOException.class,
        () -> ModelDirectory.save(dir, config, new ByteTokenizer(), Map.of("", HostTensor.scalar(1))));
    assertEquals(weights, ModelDirectory.load(dir).weights());
    try (var files = Files.list(root)) {
      assertEquals(List.of(dir), files.toList());
    }
  }

  @Test
  void namesMissingFiles() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    Files.delete(dir.resolve("tokenizer.json"));
    Files.delete(dir.resolve("model.safetensors"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertTrue(
        e.getMessage().startsWith(dir + ": missing model.safetensors (or model.safetensors.index.json), tokenizer.json (a model directory holds"),
        e.getMessage());
    Path nowhere = root.resolve("nowhere");
    e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(nowhere));
    assertEquals(nowhere + ": no such model directory", e.getMessage());
  }

  @Test
  void reportsTheFileAtFault() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    Path cfg = dir.resolve("config.json");
    Files.writeString(cfg, Files.readString(cfg).replace("\"n_head\" : 2", "\"n_head\" : 0"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertEquals(cfg + ": n_head must be a positive integer, not 0", e.getMessage());

    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    Path st = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(st);
    Files.write(st, java.util.Arrays.copyOf(bytes, bytes.length - 4));
    e = assertThrows(SafetensorsException.class, () -> ModelDirectory.load(dir));
    assertTrue(e.getMessage().startsWith(st + ": "), e.getMessage());
  }

  @Test
  void namesAMisshapenMissingOrUnexpectedWeight() throws IOException {
    Path dir = root.resolve("model");
    Path st = dir.resolve("model.safetensors");
    Map<String, HostTensor> w = new java.util.LinkedHashMap<>(weights);
    w.put("ln_f.bias", HostTensor.zeros(5));
    ModelDirectory.save(dir, config, new ByteTokenizer(), w);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertEquals(st + ": tensor ln_f.bias has shape [5] but config.json implies [4]", e.getMessage());
    w.remove("ln_f.bias");
    ModelDirectory.save(dir, config, new ByteTokenizer(), w);
    e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertEquals(st + ": missing tensor ln_f.bias (config.json expects it)", e.getMessage());
    w.put("ln_f.bias", HostTensor.zeros(4));
    w.put("h.7.attn.c_attn.weight", HostTensor.zeros(4, 12));
    ModelDirectory.save(dir, config, new ByteTokenizer(), w);
    e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertEquals(st + ": unexpected tensor h.7.attn.c_attn.weight (not a parameter of this gpt2 config)", e.getMessage());
  }

  @Test
  void namesAnUnknownModelType() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    Path cfg = dir.resolve("config.json");
    Files.writeString(cfg, Files.readString(cfg).replace("\"gpt2\"", "\"gemma\""));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertTrue(e.getMessage().startsWith(cfg + ": model_type \"gemma\" is not supported; installed families read ["), e.getMessage());
  }

  @Test
  void writesBackInTheSameLayoutAndDtype() throws IOException {
    Path dir = root.resolve("model");
    ModelDirectory.save(dir, config, new ByteTokenizer(), weights);
    ModelDirectory m = ModelDirectory.load(dir);
    Path out = Files.createDirectories(root.resolve("out"));
    m.writeModel(out, m.weights());
    ModelDirectory again = ModelDirectory.load(out);
    assertEquals(m.weights(), again.weights());
    assertEquals("F32", again.floatType());
    assertEquals("float32", again.configJson().get("torch_dtype").asText());
    assertEquals(Files.readString(dir.resolve("tokenizer.json")), Files.readString(out.resolve("tokenizer.json")));
  }

  @Test
  void rejectsATokenizerLargerThanTheVocabulary() {
    Path dir = root.resolve("model");
    ModelConfig small = ModelConfig.of(256, 1, 2, 4, 16);
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class, () -> ModelDirectory.save(dir, small, new ByteTokenizer(), weights));
    assertEquals(dir + ": the tokenizer has 261 ids but config.json has vocab_size 256", e.getMessage());
    assertFalse(Files.exists(dir));
  }
}
