package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where the time of the reference GPT train step goes, by TensorFlow op type and node, from
 * TensorFlow's step statistics (tracing inflates small ops). Not a test: disabled unless {@code
 * -Dtandem.bench=true}. With XLA on, the step is one {@code _XlaRun} cluster; profile with {@code
 * -Dtandem.tf.xla=false} to see the graph's ops.
 */
@EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
class TfProfile {
  @Test
  void profileGptTrainStep() {
    try (Engine e = new TfEngineProvider().create(new EngineOptions("cpu", 2))) {
      List<HostTensor> batch = randomBatch(16, 64);
      try (TfTrainStep step = sftStep(e, new Gpt(ModelConfig.of(261, 4, 4, 128, 64)))) {
        for (int i = 0; i < 10; i++) {
          step.run(batch, 1e-3f);
        }
        Map<String, long[]> byType = new HashMap<>();
        int reps = 10;
        long wall = 0;
        for (int k = 0; k < reps; k++) {
          RunMetadata[] md = new RunMetadata[1];
          long t0 = System.nanoTime();
          step.run(batch, 1e-3f, md);
          wall += System.nanoTime() - t0;
          for (DeviceStepStats d : md[0].getStepStats().getDevStatsList()) {
            for (NodeExecStats n : d.getNodeStatsList()) {
              long[] a = byType.computeIfAbsent(opType(n.getTimelineLabel()), x -> new long[2]);
              a[0] += n.getOpEndRelMicros() - n.getOpStartRelMicros();
              a[1]++;
            }
          }
        }
        System.out.printf(Locale.ROOT, "wall %.1f ms per traced step%n", wall / 1e6 / reps);
        byType.entrySet().stream()
            .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
            .limit(25)
            .forEach(en -> System.out.printf(Locale.ROOT, "%-32s %8.2f ms %6d nodes%n",
                en.getKey(), en.getValue()[0] / 1e3 / reps, en.getValue()[1] / reps));
      }
    }
  }

  /** A full fine-tuning SFT step (AdamW, clipping at 1) of {@code gpt} with its seed-0 weights on {@code e}. */
  static TfTrainStep sftStep(Engine e, Gpt gpt) {
    Map<String, HostTensor> w = gpt.initialWeights(0);
    Parameters p = e.createParameters(w, w.keySet());
    SftObjective sft = new SftObjective();
    return (TfTrainStep) e.trainStep(p, (o, pp, in) -> sft.loss(o, gpt, pp, in), AdamW.defaults(), new TrainStepOptions(1f));
  }

  /** An SFT batch of {@code b x t} random byte ids and targets (seed 2), every position counted. */
  static List<HostTensor> randomBatch(int b, int t) {
    Random r = new Random(2);
    int[] ids = new int[b * t];
    int[] targets = new int[ids.length];
    float[] mask = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(256);
      targets[i] = r.nextInt(256);
      mask[i] = 1;
    }
    return List.of(HostTensor.ofInts(ids, b, t), HostTensor.ofInts(targets, b, t), HostTensor.of(mask, b, t));
  }

  /** The op type in a timeline label {@code name = Type(inputs)}. */
  private static String opType(String label) {
    int eq = label.indexOf(" = ");
    if (eq < 0) {
      return label;
    }
    int paren = label.indexOf('(', eq);
    return label.substring(eq + 3, paren < 0 ? label.length() : paren);
  }
}
