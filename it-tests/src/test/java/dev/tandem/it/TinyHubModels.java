package dev.tandem.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.Safetensors;
import dev.tandem.llama.LlamaConfig;
import dev.tandem.llama.LlamaModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Small random checkpoints with real architectures and real tokenizer files, laid out as the Hub
 * lays them out: a {@code qwen3} model with Qwen3's own tokenizer (the tokenizers-hf module's test
 * copy, Apache-2.0) and its chat template, weights in BF16.
 */
final class TinyHubModels {
  static final Path QWEN3_TOKENIZER = Path.of("../tokenizers-hf/src/test/resources/qwen3");

  private TinyHubModels() {}

  /**
   * A small {@code llama} (GQA, untied) of the given width with Tandem's byte-level tokenizer: a
   * Llama-family model that trains in seconds.
   */
  static Path llama(Path dir, int hidden, int layers, long seed) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();
    ObjectNode c = json.createObjectNode();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("vocab_size", 320);
    c.put("hidden_size", hidden);
    c.put("intermediate_size", 2 * hidden);
    c.put("num_hidden_layers", layers);
    c.put("num_attention_heads", 4);
    c.put("num_key_value_heads", 2);
    c.put("max_position_embeddings", 128);
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", 10000.0);
    c.put("tie_word_embeddings", false);
    c.put("torch_dtype", "float32");
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
    Safetensors.write(dir.resolve("model.safetensors"), new LlamaModel(LlamaConfig.parse(c), "").initialWeights(seed), Map.of("format", "pt"));
    dev.tandem.api.io.Tokenizers.save(dir.resolve("tokenizer.json"), new dev.tandem.api.tokenizer.ByteTokenizer());
    return dir;
  }

  /** A 2-layer qwen3 (hidden 32, 4 heads, 2 KV heads, head_dim 16, tied) with Qwen3's tokenizer, BF16. */
  static Path qwen3(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();
    ObjectNode c = json.createObjectNode();
    c.putArray("architectures").add("Qwen3ForCausalLM");
    c.put("model_type", "qwen3");
    c.put("vocab_size", 151936);
    c.put("hidden_size", 32);
    c.put("intermediate_size", 64);
    c.put("num_hidden_layers", 2);
    c.put("num_attention_heads", 4);
    c.put("num_key_value_heads", 2);
    c.put("head_dim", 16);
    c.put("hidden_act", "silu");
    c.put("max_position_embeddings", 512);
    c.put("rms_norm_eps", 1e-6);
    c.put("rope_theta", 1000000.0);
    c.putNull("rope_scaling");
    c.put("tie_word_embeddings", true);
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.put("bos_token_id", 151643);
    c.put("eos_token_id", 151645);
    c.put("torch_dtype", "bfloat16");
    c.put("use_cache", true);
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
    LlamaModel model = new LlamaModel(LlamaConfig.parse(c), "");
    Safetensors.write(dir.resolve("model.safetensors"), model.initialWeights(seed), Map.of("format", "pt"), "BF16");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(QWEN3_TOKENIZER.resolve("tokenizer.json.gz")))) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    Files.copy(QWEN3_TOKENIZER.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"bos_token_id\": 151643, \"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643, \"temperature\": 0.6, \"top_p\": 0.95}\n");
    return dir;
  }
}
