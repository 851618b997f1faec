package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.Batch;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tokenizer.ByteTokenizer;
import dev.tandem.api.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-engine parity: the same weights and batch give the same logits, the same training curve and
 * the same greedy tokens on DJL and TensorFlow, and a checkpoint written by one resumes on the other.
 */
class ParityIT {
  static final ModelConfig CONFIG = ModelConfig.of(261, 2, 4, 64, 64);
  static Engine djl;
  static Engine tf;
  static Map<String, HostTensor> weights;
  static List<Batch> batches;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    djl = AllEngines.create("djl");
    tf = AllEngines.create("tensorflow");
    weights = new Gpt(CONFIG).initialWeights(11);
    var records = JsonlDataset.read(SampleFiles.wordnetTrain(dir, 400));
    List<Example> ex = JsonlDataset.toExamples(records, new PromptTemplate(new ByteTokenizer()), 64, SkipReport.collecting());
    Batcher batcher = new Batcher(8, new int[] {64}, 257);
    batches = new ArrayList<>();
    for (int i = 0; i + 8 <= ex.size() && batches.size() < 50; i += 8) {
      batches.add(batcher.batch(ex.subList(i, i + 8)));
    }
  }

  @AfterAll
  static void tearDown() {
    djl.close();
    tf.close();
  }

  @Test
  void sameWeightsAndBatchGiveTheSameLogits() {
    float[] a = logits(djl);
    float[] b = logits(tf);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    assertTrue(max <= 1e-4, "max |logits_djl - logits_tf| = " + max);
  }

  private static float[] logits(Engine engine) {
    Gpt gpt = new Gpt(CONFIG);
    Parameters p = engine.createParameters(weights, java.util.Set.of());
    try (CompiledFunction f = engine.compile(p, (ops, params, in) -> List.of(gpt.forward(ops, params, in.get(0), null, null)));
        Tensor ids = engine.upload(batches.get(0).inputIds())) {
      List<Tensor> out = f.call(List.of(ids));
      try {
        return engine.download(out.get(0)).floats();
      } finally {
        out.forEach(Tensor::close);
      }
    }
  }

  @Test
  void fiftyTrainingStepsFollowTheSameCurve() {
    float[] a = train(djl);
    float[] b = train(tf);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-3 * Math.abs(a[i]), "loss at step " + (i + 1));
    }
    assertTrue(a[a.length - 1] < a[0] - 0.5, "the curve goes down: " + a[0] + " -> " + a[a.length - 1]);
  }

  private static float[] train(Engine engine) {
    Gpt gpt = new Gpt(CONFIG);
    Parameters p = engine.createParameters(weights, weights.keySet());
    SftObjective sft = new SftObjective();
    LossFunction loss = (ops, params, in) -> sft.loss(ops, gpt, params, in);
    float[] losses = new float[batches.size()];
    try (TrainStep step = engine.trainStep(p, loss, AdamW.defaults(), new TrainStepOptions(1f))) {
      for (int i = 0; i < batches.size(); i++) {
        Batch b = batches.get(i);
        losses[i] = step.run(List.of(b.inputIds(), b.targets(), b.lossMask()), 3e-3f).loss();
      }
    }
    return losses;
  }

  @Test
  void greedyGenerationGivesTheSameTokens() {
    List<int[]> prompts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Batch b = batches.get(i);
      prompts.add(java.util.Arrays.copyOf(b.inputIds().ints(), 5 + 3 * i));
    }
    List<int[]> a = generate(djl, prompts);
    List<int[]> b = generate(tf, prompts);
    int total = 0;
    for (int i = 0; i < prompts.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i), "prompt " + i);
      total += a.get(i).length;
    }
    assertTrue(total >= 40, "compares real generated tokens, got " + total);
  }

  private static List<int[]> generate(Engine engine, List<int[]> prompts) {
    Gpt gpt = new Gpt(CONFIG);
    Parameters p = engine.createParameters(weights, java.util.Set.of());
    try (Generator g = new Generator(engine, gpt, p, 256, 257)) {
      return g.generate(prompts, SamplingConfig.greedy(20), 4);
    }
  }

  @Test
  void aCheckpointWrittenByOneEngineResumesOnTheOther() throws Exception {
    Path model = dir.resolve("model");
    assertEquals(0, Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "64").exit());
    Path data = SampleFiles.wordnetTrain(dir, 200);
    String[] common = {"sft", "--model", model.toString(), "--data", data.toString(), "--max-steps", "20", "--batch-size", "8",
        "--save-steps", "10", "--logging-steps", "5", "--threads", AllEngines.THREADS};
    Path straight = dir.resolve("straight");
    Path mixed = dir.resolve("mixed");
    assertEquals(0, Cli.run(concat(common, "--engine", "djl", "--output", straight.toString())).exit());
    assertEquals(0, Cli.run(concat(common, "--engine", "djl", "--output", mixed.toString())).exit());
    // forget the end of the run: the newest checkpoint is step 10, written by DJL
    deleteTree(mixed.resolve("checkpoint-20"));
    Cli resumed = Cli.run(concat(common, "--engine", "tensorflow", "--output", mixed.toString(), "--resume"));
    assertEquals(0, resumed.exit(), resumed.toString());
    assertTrue(resumed.out().contains("resuming at step 10"), resumed.out());
    var expected = MetricsLog.read(straight.resolve("metrics.jsonl"));
    var actual = MetricsLog.read(mixed.resolve("metrics.jsonl"));
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      double e = ((Number) expected.get(i).get("loss")).doubleValue();
      double a = ((Number) actual.get(i).get("loss")).doubleValue();
      assertEquals(e, a, 1e-3 * e, "loss at " + expected.get(i).get("step"));
    }
    assertEquals("tensorflow", dev.tandem.api.train.Checkpoints.readState(mixed).engine());
  }

  @Test
  void aThousandStepsOfFixedShapesTraceOnce() {
    Gpt gpt = new Gpt(ModelConfig.of(261, 1, 2, 16, 16));
    var w = gpt.initialWeights(1);
    Parameters p = tf.createParameters(w, w.keySet());
    SftObjective sft = new SftObjective();
    Batch b = new Batcher(2, new int[] {16}, 257).batch(List.of(
        new Example(new int[] {1, 2, 3, 4, 5, 6}, 2, "a"), new Example(new int[] {7, 8, 9}, 1, "b")));
    try (TrainStep step = tf.trainStep(p, (ops, params, in) -> sft.loss(ops, gpt, params, in), AdamW.defaults(), new TrainStepOptions(1f))) {
      step.run(List.of(b.inputIds(), b.targets(), b.lossMask()), 1e-3f);
      int traces = step.traceCount();
      for (int i = 0; i < 999; i++) {
        step.run(List.of(b.inputIds(), b.targets(), b.lossMask()), 1e-3f);
      }
      assertTrue(traces >= 1, "a tracing engine counts its traces");
      assertEquals(traces, step.traceCount(), "no retracing for fixed shapes");
      assertEquals(1000, step.updates());
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void deleteTree(Path p) throws Exception {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
