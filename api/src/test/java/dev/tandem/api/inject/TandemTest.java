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

  /** Another class under the name of {@link Custom}. */
  static final class Impostor implements Objective {
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
  void twoObjectivesUnderOneNameAreAnErrorNamingBoth() {
    Tandem t = Tandem.builder().discover(false).objective(new Custom()).objective(new Impostor()).build();
    var e = assertThrows(IllegalStateException.class, t::objectives);
    String where = Custom.class.getModule().isNamed() ? "module dev.tandem.api" : "class path"; // surefire may run either way
    assertEquals(
        "objective name 'custom' is claimed by dev.tandem.api.inject.TandemTest$Custom (" + where + ") and dev.tandem.api.inject.TandemTest$Impostor"
            + " (" + where + "): each objective needs its own name",
        e.getMessage());
    // the same class registered twice (say by ServiceLoader and a plugin module) is one objective
    Tandem twice = Tandem.builder().discover(false).objective(new Custom()).objective(new Custom()).build();
    assertEquals(List.of("custom", "sft"), twice.objectives().keySet().stream().sorted().toList());
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
}
