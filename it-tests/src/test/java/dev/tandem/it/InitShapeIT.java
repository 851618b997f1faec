package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.io.CheckpointFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem init --shape smollm2-135m --layers 1 --dtype bfloat16} writes a Hub-layout {@code
 * llama} directory in BF16 with Hugging Face's tensor names, which the other commands take as
 * {@code --model}: a LoRA run trains on it and saves an adapter only. A bad {@code --dtype} is
 * refused and leaves nothing behind.
 */
class InitShapeIT {
  @Test
  void aRealShapeInBf16LoadsAndTrainsALoraAdapter(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("smol");
    Cli init = Cli.run("init", "--shape", "smollm2-135m", "--layers", "1", "--dtype", "bfloat16", "--output", model.toString(), "--seed", "4");
    assertEquals(0, init.exit(), init.toString());
    JsonNode config = new ObjectMapper().readTree(model.resolve("config.json").toFile());
    assertEquals("llama", config.get("model_type").asText());
    assertEquals(1, config.get("num_hidden_layers").asInt());
    assertEquals(576, config.get("hidden_size").asInt());
    assertEquals("bfloat16", config.get("torch_dtype").asText());
    CheckpointFiles.Stored stored = CheckpointFiles.read(model);
    assertEquals("BF16", stored.floatType());
    assertTrue(stored.tensors().containsKey("model.layers.0.self_attn.q_proj.weight"), stored.tensors().keySet().toString());
    assertTrue(stored.tensors().containsKey("model.embed_tokens.weight"));
    assertFalse(stored.tensors().containsKey("lm_head.weight"), "tied: no separate head");

    Path data = dir.resolve("train.jsonl");
    Files.writeString(data, "{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n{\"prompt\": \"2+2=\", \"completion\": \"4\"}\n");
    Path out = dir.resolve("lora");
    Cli sft = Cli.run("sft", "--model", model.toString(), "--data", data.toString(), "--output", out.toString(), "--max-steps", "1",
        "--batch-size", "2", "--lora-rank", "4", "--threads", AllEngines.THREADS);
    assertEquals(0, sft.exit(), sft.toString());
    assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")), "an adapter was saved");
    assertFalse(Files.exists(out.resolve("model.safetensors")), "the base is not saved again");
  }

  @Test
  void anUnknownDtypeIsRefused(@TempDir Path dir) {
    Path model = dir.resolve("m");
    Cli c = Cli.run("init", "--shape", "smollm2-135m", "--layers", "1", "--dtype", "int8", "--output", model.toString());
    assertTrue(c.exit() != 0, c.toString());
    assertTrue(c.toString().contains("--dtype must be float32 or bfloat16"), c.toString());
    assertFalse(Files.exists(model));
  }
}
