package dev.tandem.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyFloat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer loop in isolation: the engine and its train step are mocks. */
class TrainerTest {
  @TempDir Path out;
  Engine engine;
  TrainStep step;
  Parameters params;
  final List<Float> rates = new ArrayList<>();
  final Map<String, HostTensor> weights = Map.of("w", HostTensor.of(new float[] {1, 2}, 2));

  final TrainingData data =
      new TrainingData() {
        @Override
        public int batchesPerEpoch() {
          return 4;
        }

        @Override
        public List<HostTensor> batch(int epoch, int index) {
          return List.of(HostTensor.ofInts(new int[] {epoch, index}, 1, 2));
        }
      };

  @BeforeEach
  void setUp() {
    engine = mock(Engine.class);
    step = mock(TrainStep.class);
    params = mock(Parameters.class);
    when(engine.name()).thenReturn("mock");
    when(engine.trainStep(any(), any(), any(), any())).thenReturn(step);
    when(params.names()).thenReturn(List.of("w"));
    when(params.readAll()).thenReturn(weights);
    when(step.state()).thenReturn(Map.of("updates", HostTensor.scalar(0)));
    when(step.run(any(), anyFloat()))
        .thenAnswer(
            inv -> {
              rates.add(inv.getArgument(1));
              return new StepResult(10f / (rates.size()), Map.of("tokens", 2f), 1f);
            });
    when(step.evaluate(any())).thenReturn(new StepResult(0.5f, Map.of("tokens", 2f), Float.NaN));
  }

  private Trainer trainer(TrainerConfig config) {
    return new Trainer(engine, mock(CausalLM.class), params, new SftObjective(), new Sgd(), config, 7, out,
        (dir, w) -> Safetensors.write(dir.resolve("model.safetensors"), w));
  }

  @Test
  void evaluationWeighsBatchesByTokensOrPairs() {
    List<HostTensor> a = List.of(HostTensor.scalar(1));
    List<HostTensor> b = List.of(HostTensor.scalar(2));
    when(step.evaluate(a)).thenReturn(new StepResult(1f, Map.of("pairs", 8f), Float.NaN));
    when(step.evaluate(b)).thenReturn(new StepResult(4f, Map.of("pairs", 2f), Float.NaN));
    assertEquals((1 * 8 + 4 * 2) / 10.0, Trainer.evaluate(step, List.of(a, b)), 1e-9, "pairs");
    when(step.evaluate(a)).thenReturn(new StepResult(1f, Map.of("tokens", 3f, "pairs", 8f), Float.NaN));
    when(step.evaluate(b)).thenReturn(new StepResult(4f, Map.of("tokens", 1f), Float.NaN));
    assertEquals((1 * 3 + 4 * 1) / 4.0, Trainer.evaluate(step, List.of(a, b)), 1e-9, "tokens first");
    when(step.evaluate(a)).thenReturn(new StepResult(1f, Map.of(), Float.NaN));
    when(step.evaluate(b)).thenReturn(new StepResult(4f, Map.of(), Float.NaN));
    assertEquals(2.5, Trainer.evaluate(step, List.of(a, b)), 1e-9, "neither: batches weigh the same");
  }

  @Test
  void logsEvaluatesAndCheckpointsOnSchedule() throws Exception {
    TrainerConfig c = TrainerConfig.defaults().withEpochs(3).withSteps(5, 6, 4).withKeepCheckpoints(2);
    Trainer.Result r = trainer(c).train(data, List.of(data.batch(0, 0)), false);
    assertEquals(12, r.steps());
    assertEquals(12, rates.size());
    var lines = MetricsLog.read(out.resolve("metrics.jsonl"));
    assertEquals(List.of(5, 6, 10, 12), lines.stream().map(l -> ((Number) l.get("step")).intValue()).toList());
    assertEquals(2, lines.stream().filter(l -> l.containsKey("eval_loss")).count(), "eval at 6 and 12");
    assertEquals(List.of("checkpoint-8", "checkpoint-12"), Checkpoints.list(out).stream().map(p -> p.getFileName().toString()).toList());
    assertTrue(Files.exists(out.resolve("model.safetensors")), "final model at the top");
    assertEquals(12, Checkpoints.readState(out).globalStep());
    assertFalse(Files.list(out).anyMatch(p -> p.getFileName().toString().contains("tmp")), "no temporary left");
  }

  @Test
  void resumeRestoresWeightsAndOptimizerAndSkipsDoneSteps() throws Exception {
    TrainerConfig c = TrainerConfig.defaults().withMaxSteps(10).withSteps(2, 0, 4);
    trainer(c.withMaxSteps(10)).train(data, List.of(), false);
    // pretend the run died after checkpoint-8: remove the end state and a log line after it
    Checkpoints.deleteTree(out.resolve("checkpoint-10"));
    rates.clear();
    trainer(c).train(data, List.of(), true);
    assertEquals(2, rates.size(), "steps 9 and 10 only");
    verify(params).write("w", weights.get("w"));
    verify(step, times(1)).loadState(any());
    var steps = MetricsLog.read(out.resolve("metrics.jsonl")).stream().map(l -> ((Number) l.get("step")).intValue()).toList();
    assertEquals(List.of(2, 4, 6, 8, 10), steps);
  }

  @Test
  void aDivergingLossStopsWithAClearMessage() {
    when(step.run(any(), anyFloat())).thenReturn(new StepResult(Float.NaN, Map.of(), 1f));
    var e = assertThrows(IllegalStateException.class, () -> trainer(TrainerConfig.defaults().withMaxSteps(3)).train(data, List.of(), false));
    assertTrue(e.getMessage().contains("step 1"), e.getMessage());
  }
}
