package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TandemTest {
  static final class Custom implements Objective {
    @Override
    public String name() {
      return "custom";
    }

    @Override
    public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void explicitRegistrationAddsObjectivesBesideSft() {
    Tandem t = Tandem.builder().discover(false).objective(new Custom()).build();
    assertEquals(List.of("custom", "sft"), t.objectives().keySet().stream().sorted().toList());
    var e = assertThrows(IllegalArgumentException.class, () -> t.objective("ipo"));
    assertEquals("unknown objective 'ipo', known: custom, sft", e.getMessage());
  }

  @Test
  void anEmbedderOverridesTheTokenizerBinding() {
    Tokenizer mine = new ByteTokenizer();
    Tandem t =
        Tandem.builder()
            .discover(false)
            .override(
                new AbstractModule() {
                  @Override
                  protected void configure() {
                    bind(Tokenizer.class).toInstance(mine);
                  }
                })
            .build();
    assertSame(mine, t.tokenizer());
    assertTrue(Tandem.builder().discover(false).build().tokenizer() != mine);
  }

  /** A provider that records that it was asked to create an engine (no engine is needed here). */
  record Recording(String name, int rank, java.util.List<String> created) implements dev.tandem.api.engine.EngineProvider {
    @Override
    public dev.tandem.api.engine.Availability availability() {
      return dev.tandem.api.engine.Availability.available(List.of("cpu"));
    }

    @Override
    public dev.tandem.api.engine.Engine create(dev.tandem.api.engine.EngineOptions options) {
      created.add(name);
      return null;
    }
  }

  @Test
  void theFacadeCreatesTheEngineNamedElseTheBestRanked() {
    java.util.List<String> created = new java.util.ArrayList<>();
    Tandem t = Tandem.builder().discover(false).engine(new Recording("second", 20, created)).engine(new Recording("first", 10, created)).build();
    assertEquals(List.of("first", "second"), t.engines().providers().stream().map(dev.tandem.api.engine.EngineProvider::name).toList());
    t.engine("second", dev.tandem.api.engine.EngineOptions.defaults());
    assertEquals(List.of("second"), created, "the explicit name wins over rank");
    assertEquals("second", t.engines().select(null, java.util.Map.of(dev.tandem.api.engine.EngineRegistry.ENV, "second")).name(), "then TANDEM_ENGINE");
    assertEquals("first", t.engines().select(null, java.util.Map.of()).name(), "then the lowest rank");
    var e = assertThrows(dev.tandem.api.engine.EngineUnavailableException.class, () -> t.engine("tpu", dev.tandem.api.engine.EngineOptions.defaults()));
    assertTrue(e.getMessage().contains("known: first, second"), e.getMessage());
  }
}
