package dev.tandem.api.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.io.JsonFiles;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.ModelFormatException;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Composed model directories without an engine: files, base references, hashes, compatibility. */
class CompositionsTest {
  @TempDir Path root;

  private static final ModelConfig CONFIG = ModelConfig.of(261, 1, 2, 8, 16);

  /** A strategy with one new parameter, enough to exercise the directory format. */
  static final class Toy implements CompositionStrategy {
    @Override
    public String name() {
      return "toy";
    }

    @Override
    public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) {
      return JsonNodeFactory.instance.objectNode().put("width", Integer.parseInt(options.getOrDefault("width", "3")));
    }

    @Override
    public Composition build(List<BaseModel> bases, JsonNode settings) {
      int w = settings.get("width").intValue();
      Gpt anchor = new Gpt(bases.get(0).config(), "anchor.");
      return new Composition() {
        @Override
        public CausalLM model() {
          return anchor;
        }

        @Override
        public Map<String, HostTensor> initialParameters(long seed) {
          return Map.of("toy.scale", HostTensor.zeros(w));
        }
      };
    }
  }

  private Path base(String name, ModelConfig c, ByteTokenizer t, long seed) throws Exception {
    Path p = root.resolve(name);
    ModelDirectory.save(p, c, t, new Gpt(c).initialWeights(seed));
    return p;
  }

  private Path composed(List<BaseModel> bases) throws Exception {
    Toy toy = new Toy();
    ObjectNode settings = toy.settings(bases, Map.of());
    Composition c = toy.build(bases, settings);
    ComposedModel cm = new ComposedModel("toy", bases, settings, c, Set.of("toy.scale"));
    Path out = root.resolve("composed");
    Compositions.save(out, cm, Map.of("toy.scale", HostTensor.of(new float[] {1, 2, 3}, 3), "anchor.wte.weight", HostTensor.zeros(1)));
    return out;
  }

  @Test
  void writesReferencesHashesAndTheNewParametersOnly() throws Exception {
    Path a = base("anchor", CONFIG, new ByteTokenizer(), 1);
    Path b = base("augment", CONFIG, new ByteTokenizer(), 2);
    List<BaseModel> bases = Compositions.loadBases(a, List.of(b));
    assertEquals(List.of("anchor.", "augment0."), bases.stream().map(BaseModel::prefix).toList());
    Path out = composed(bases);
    assertTrue(Compositions.isComposed(out));
    assertEquals(Set.of("toy.scale"), Safetensors.read(out.resolve(ModelDirectory.WEIGHTS)).keySet());
    assertTrue(Files.isRegularFile(out.resolve(ModelDirectory.TOKENIZER)));
    ObjectNode json = JsonFiles.readObject(out.resolve(Compositions.FILE));
    assertEquals("toy", json.get("strategy").asText());
    assertEquals(a.toAbsolutePath().normalize().toString(), json.get("bases").get(0).get("path").asText());
    assertEquals("augment", json.get("bases").get(1).get("role").asText());
    assertEquals(Compositions.sha256(a.resolve(ModelDirectory.WEIGHTS)), json.get("bases").get(0).get("sha256").asText());
    assertEquals(64, json.get("bases").get(1).get("sha256").asText().length());
  }

  @Test
  void loadingChecksStrategyBasesAndHashesBeforeTouchingAnEngine() throws Exception {
    Path a = base("anchor", CONFIG, new ByteTokenizer(), 1);
    Path out = composed(Compositions.loadBases(a, List.of()));
    // unknown strategy: the error names the file and the known ones
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Compositions.load(null, out, false, Map.of("calm", new Toy())));
    assertTrue(e.getMessage().contains(Compositions.FILE) && e.getMessage().contains("unknown composition strategy 'toy'") && e.getMessage().contains("calm"), e.getMessage());
    // a changed base
    ModelDirectory.save(a, CONFIG, new ByteTokenizer(), new Gpt(CONFIG).initialWeights(99));
    e = assertThrows(ModelFormatException.class, () -> Compositions.load(null, out, false, Map.of("toy", new Toy())));
    assertTrue(e.getMessage().contains("has changed since the composition was made"), e.getMessage());
    // a base that is gone
    dev.tandem.api.io.AtomicFiles.deleteRecursively(a);
    e = assertThrows(ModelFormatException.class, () -> Compositions.load(null, out, false, Map.of("toy", new Toy())));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void parametersMustFitTheSettings() throws Exception {
    Path a = base("anchor", CONFIG, new ByteTokenizer(), 1);
    Path out = composed(Compositions.loadBases(a, List.of()));
    Safetensors.write(out.resolve(ModelDirectory.WEIGHTS), Map.of("toy.scale", HostTensor.zeros(4)));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Compositions.load(null, out, false, Map.of("toy", new Toy())));
    assertTrue(e.getMessage().contains("toy.scale") && e.getMessage().contains("[4]"), e.getMessage());
  }

  @Test
  void differentTokenizersOrVocabulariesCannotBeComposed() throws Exception {
    Path a = base("anchor", CONFIG, new ByteTokenizer(), 1);
    ModelConfig wider = ModelConfig.of(262, 1, 2, 8, 16);
    Path t = base("tool", wider, new ByteTokenizer(List.of("<|tool|>")), 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compositions.loadBases(a, List.of(t)));
    assertTrue(e.getMessage().contains("different tokenizers") && e.getMessage().contains("<|tool|>"), e.getMessage());
    Path v = base("vocab", ModelConfig.of(300, 1, 2, 8, 16), new ByteTokenizer(), 3);
    e = assertThrows(IllegalArgumentException.class, () -> Compositions.loadBases(a, List.of(v)));
    assertTrue(e.getMessage().contains("different vocabularies") && e.getMessage().contains("300"), e.getMessage());
  }

  @Test
  void aComposedDirectoryIsNotABase() throws Exception {
    Path a = base("anchor", CONFIG, new ByteTokenizer(), 1);
    Path out = composed(Compositions.loadBases(a, List.of()));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Compositions.loadBases(out, List.of()));
    assertTrue(e.getMessage().contains("composed model"), e.getMessage());
  }
}
