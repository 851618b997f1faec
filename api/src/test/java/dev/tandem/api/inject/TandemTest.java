package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyFloat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineRegistry;
import dev.tandem.api.engine.EngineUnavailableException;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.Trainer;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingData;
import dev.tandem.api.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /** A metrics sink as an embedder would write one: it records what the trainer reports. */
  static final class RecordingSink implements TrainingListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void onStart(long firstStep, long totalSteps) {
      events.add("start " + firstStep + "/" + totalSteps);
    }

    @Override
    public void onStep(long step, Map<String, Double> metrics) {
      events.add("step " + step + " loss " + metrics.get("loss"));
    }

    @Override
    public void onEnd(long step) {
      events.add("end " + step);
    }
  }

  static Module bindingListener(TrainingListener l) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        bind(TrainingListener.class).toInstance(l);
      }
    };
  }

  /**
   * The facade's trainers report to the bound listener, so an override reaches the training loop.
   * The engine is a stub (the api has none): what is checked is the wiring, step by step.
   */
  @Test
  void aTrainerFromTheFacadeReportsToTheOverriddenListener(@TempDir Path out) throws Exception {
    RecordingSink sink = new RecordingSink();
    Tandem t = Tandem.builder().discover(false).override(bindingListener(sink)).build();
    assertSame(sink, t.trainingListener());

    Trainer trainer = t.trainer(stubEngine(), stubModel(), t.objective("sft"), new Sgd(),
        TrainerConfig.defaults().withMaxSteps(3), 7, out);
    Trainer.Result r = trainer.train(twoBatches(), List.of(), false);

    assertEquals(3, r.steps());
    // the stub's loss is 6 / step: 6, 3, 2
    assertEquals(List.of("start 0/3", "step 1 loss 6.0", "step 2 loss 3.0", "step 3 loss 2.0", "end 3"), sink.events);
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")), "the model's own writer wrote the final model");
  }

  @Test
  void withoutAnOverrideTheFacadesTrainerReportsNowhereAndStillTrains(@TempDir Path out) throws Exception {
    Tandem t = Tandem.builder().discover(false).build();
    RecordingSink unused = new RecordingSink();
    assertTrue(t.trainingListener() != unused);
    Trainer.Result r = t.trainer(stubEngine(), stubModel(), t.objective("sft"), new Sgd(),
        TrainerConfig.defaults().withMaxSteps(2), 7, out).train(twoBatches(), List.of(), false);
    assertEquals(2, r.steps());
    assertEquals(3.0, r.lastLoss(), 1e-6); // 6 / 2
  }

  private static Engine stubEngine() {
    Engine engine = mock(Engine.class);
    TrainStep step = mock(TrainStep.class);
    when(engine.name()).thenReturn("stub");
    when(engine.trainStep(any(), any(), any(), any())).thenReturn(step);
    when(step.state()).thenReturn(Map.of());
    int[] calls = {0};
    when(step.run(any(), anyFloat())).thenAnswer(inv -> new StepResult(6f / ++calls[0], Map.of(), 1f));
    return engine;
  }

  private static LoadedModel stubModel() {
    Parameters params = mock(Parameters.class);
    Map<String, HostTensor> weights = Map.of("w", HostTensor.of(new float[] {1, 2}, 2));
    when(params.names()).thenReturn(List.of("w"));
    when(params.readAll()).thenReturn(weights);
    return LoadedModel.composed(null, mock(CausalLM.class), params, new ByteTokenizer(),
        (dir, w) -> Safetensors.write(dir.resolve("model.safetensors"), w), null);
  }

  private static TrainingData twoBatches() {
    return new TrainingData() {
      @Override
      public int batchesPerEpoch() {
        return 2;
      }

      @Override
      public List<HostTensor> batch(int epoch, int index) {
        return List.of(HostTensor.ofInts(new int[] {epoch, index}, 1, 2));
      }
    };
  }

  /** A provider that records that it was asked to create an engine (no engine is needed here). */
  record Recording(String name, int rank, List<String> created) implements EngineProvider {
    @Override
    public Availability availability() {
      return Availability.available(List.of("cpu"));
    }

    @Override
    public Engine create(EngineOptions options) {
      created.add(name);
      return null;
    }
  }

  @Test
  void theFacadeCreatesTheEngineNamedElseTheBestRanked() {
    List<String> created = new ArrayList<>();
    Tandem t = Tandem.builder().discover(false).engine(new Recording("second", 20, created)).engine(new Recording("first", 10, created)).build();
    assertEquals(List.of("first", "second"), t.engines().providers().stream().map(EngineProvider::name).toList());
    t.engine("second", EngineOptions.defaults());
    assertEquals(List.of("second"), created, "the explicit name wins over rank");
    assertEquals("second", t.engines().select(null, Map.of(EngineRegistry.ENV, "second")).name(), "then TANDEM_ENGINE");
    assertEquals("first", t.engines().select(null, Map.of()).name(), "then the lowest rank");
    var e = assertThrows(EngineUnavailableException.class, () -> t.engine("tpu", EngineOptions.defaults()));
    assertTrue(e.getMessage().contains("known: first, second"), e.getMessage());
  }
}
