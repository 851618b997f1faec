package dev.tandem.api.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.JsonFiles;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A LoRA adapter on disk in PEFT's layout, which PEFT's {@code PeftModel.from_pretrained} loads
 * unchanged: {@value #CONFIG} ({@code peft_type "LORA"}, {@code r}, {@code lora_alpha}, {@code
 * target_modules}, {@code fan_in_fan_out}, {@code base_model_name_or_path}, ...) and {@value
 * #WEIGHTS} with keys {@code base_model.model.<module>.lora_A.weight} {@code [r, in]} and {@code
 * ...lora_B.weight} {@code [out, r]}. Tandem records the SHA-256 of the base's weights file in the
 * safetensors metadata ({@value #BASE_SHA256}) and refuses another base.
 *
 * <p>Both files are untrusted input: anything PEFT could mean that Tandem does not compute (DoRA,
 * bias training, per-module ranks, {@code modules_to_save}, layer subsets) is refused naming the
 * file and field.
 */
public final class AdapterDirectory {
  /** The adapter's config. */
  public static final String CONFIG = "adapter_config.json";
  /** The adapter's weights. */
  public static final String WEIGHTS = "adapter_model.safetensors";
  /** Safetensors metadata key of the base weights' SHA-256. */
  public static final String BASE_SHA256 = "tandem_base_sha256";

  private AdapterDirectory() {}

  /**
   * What {@value #CONFIG} says.
   *
   * @param config rank, alpha, targets, dropout, rsLoRA
   * @param base {@code base_model_name_or_path}
   * @param fanInFanOut {@code fan_in_fan_out}
   */
  public record Header(LoraConfig config, String base, boolean fanInFanOut) {}

  /** Whether {@code dir} holds an adapter ({@value #CONFIG}). */
  public static boolean isAdapter(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG));
  }

  /** Reads and validates {@value #CONFIG}. */
  public static Header readHeader(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG);
    ObjectNode c = JsonFiles.readObject(file);
    String type = c.path("peft_type").asText(null);
    if (!"LORA".equals(type)) {
      throw new ModelFormatException(file, "peft_type must be \"LORA\", not " + c.get("peft_type"));
    }
    JsonNode task = c.get("task_type");
    if (task != null && !task.isNull() && !"CAUSAL_LM".equals(task.asText())) {
      throw new ModelFormatException(file, "task_type " + task + " is not supported (CAUSAL_LM is)");
    }
    JsonNode r = c.get("r");
    if (r == null || !r.isIntegralNumber() || !r.canConvertToInt() || r.intValue() < 1) {
      throw new ModelFormatException(file, "r must be a positive integer, not " + r);
    }
    JsonNode alpha = c.get("lora_alpha");
    if (alpha == null || !alpha.isNumber() || !(alpha.doubleValue() > 0)) {
      throw new ModelFormatException(file, "lora_alpha must be a positive number, not " + alpha);
    }
    JsonNode dropout = c.get("lora_dropout");
    float drop = dropout == null || dropout.isNull() ? 0f : dropout.floatValue();
    if (dropout != null && !dropout.isNull() && (!dropout.isNumber() || !(drop >= 0 && drop < 1))) {
      throw new ModelFormatException(file, "lora_dropout must be a number in [0, 1), not " + dropout);
    }
    List<String> targets = new ArrayList<>();
    JsonNode t = c.get("target_modules");
    if (t != null && t.isTextual()) {
      targets.add(t.textValue().equals(LoraConfig.ALL_LINEAR) ? LoraConfig.ALL_LINEAR : "re:" + t.textValue());
    } else if (t != null && t.isArray() && !t.isEmpty()) {
      for (JsonNode n : t) {
        if (!n.isTextual() || n.textValue().isEmpty()) {
          throw new ModelFormatException(file, "target_modules must hold module names, not " + n);
        }
        targets.add(n.textValue());
      }
    } else {
      throw new ModelFormatException(file, "target_modules must be a non-empty list of module names or a pattern, not " + t);
    }
    refuse(file, c, "bias", v -> v.isNull() || "none".equals(v.asText()), "only \"none\" is supported");
    refuse(file, c, "use_dora", v -> v.isNull() || (v.isBoolean() && !v.booleanValue()), "DoRA is not supported");
    refuse(file, c, "modules_to_save", v -> v.isNull() || (v.isArray() && v.isEmpty()), "modules_to_save is not supported");
    refuse(file, c, "layers_to_transform", JsonNode::isNull, "layer subsets are not supported");
    refuse(file, c, "rank_pattern", v -> v.isNull() || (v.isObject() && v.isEmpty()), "per-module ranks are not supported");
    refuse(file, c, "alpha_pattern", v -> v.isNull() || (v.isObject() && v.isEmpty()), "per-module alphas are not supported");
    JsonNode rs = c.get("use_rslora");
    boolean rslora = rs != null && rs.isBoolean() && rs.booleanValue();
    JsonNode fan = c.get("fan_in_fan_out");
    boolean fanInFanOut = fan != null && fan.isBoolean() && fan.booleanValue();
    JsonNode base = c.get("base_model_name_or_path");
    if (base == null || !base.isTextual() || base.textValue().isEmpty()) {
      throw new ModelFormatException(file, "base_model_name_or_path must name the base model, not " + base);
    }
    return new Header(new LoraConfig(r.intValue(), alpha.floatValue(), targets, drop, rslora), base.textValue(), fanInFanOut);
  }

  private static void refuse(Path file, ObjectNode c, String field, java.util.function.Predicate<JsonNode> ok, String why)
      throws ModelFormatException {
    JsonNode v = c.get(field);
    if (v != null && !ok.test(v)) {
      throw new ModelFormatException(file, field + " " + v + ": " + why);
    }
  }

  /** The adapter's tensors by PEFT key. */
  public static Map<String, HostTensor> readWeights(Path dir) throws IOException {
    return Safetensors.read(dir.resolve(WEIGHTS));
  }

  /** The base SHA-256 recorded in {@value #WEIGHTS}, or null. */
  public static String baseSha256(Path dir) throws IOException {
    return Safetensors.readMetadata(dir.resolve(WEIGHTS)).get(BASE_SHA256);
  }

  /**
   * Writes {@value #CONFIG} and {@value #WEIGHTS} (F32, the adapter's tensors among {@code values})
   * into the existing directory {@code dir}, each file atomically.
   *
   * @param base the base model's directory (absolute), written as {@code base_model_name_or_path}
   * @param baseSha256 the SHA-256 of its weights file
   */
  public static void write(Path dir, LoraAdapter adapter, Path base, String baseSha256, Map<String, HostTensor> values)
      throws IOException {
    Map<String, HostTensor> own = new LinkedHashMap<>();
    Set<String> names = adapter.shapes().keySet();
    for (String n : names) {
      HostTensor v = values.get(n);
      if (v == null) {
        throw new IllegalArgumentException("no value for adapter parameter " + n);
      }
      own.put(n, v);
    }
    LoraConfig l = adapter.config();
    ObjectNode c = JsonFiles.newObject();
    c.putObject("alpha_pattern");
    c.putNull("auto_mapping");
    c.put("base_model_name_or_path", base.toString());
    c.put("bias", "none");
    c.put("fan_in_fan_out", adapter.fanInFanOut());
    c.put("inference_mode", true);
    c.put("init_lora_weights", true);
    c.putNull("layers_pattern");
    c.putNull("layers_to_transform");
    c.put("lora_alpha", l.alpha());
    c.put("lora_dropout", l.dropout());
    c.putNull("modules_to_save");
    c.put("peft_type", "LORA");
    c.put("r", l.rank());
    c.putObject("rank_pattern");
    c.putNull("revision");
    if (l.targets().size() == 1 && l.targets().get(0).startsWith("re:")) {
      c.put("target_modules", l.targets().get(0).substring(3));
    } else {
      ArrayNode t = c.putArray("target_modules");
      l.targets().forEach(t::add);
    }
    c.put("task_type", "CAUSAL_LM");
    c.put("use_dora", false);
    c.put("use_rslora", l.rslora());
    JsonFiles.write(dir.resolve(CONFIG), c);
    Safetensors.write(dir.resolve(WEIGHTS), own, Map.of("format", "pt", BASE_SHA256, baseSha256));
  }
}
