package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where a train step's memory peaks on TensorFlow: the allocator's bytes in use after each node, in
 * execution order, from a fully traced step of a GPT with SmolLM2-like widths (12 layers, d 576,
 * vocabulary 49,152, batch 4 x 128). Prints the peak, the node it follows, and the in-use curve
 * sampled through the step. Not a test: disabled unless {@code -Dtandem.bench=true}; run with
 * {@code mvn -pl engine-tensorflow -am test -Dtest=TfMemoryProfile -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtandem.bench=true -Dtandem.tf.xla=false} to see the graph's own nodes.
 */
@EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
class TfMemoryProfile {
  @Test
  void whereTheStepPeaks() {
    try (Engine e = new TfEngineProvider().create(new EngineOptions("cpu", 2))) {
      List<HostTensor> batch = TfProfile.randomBatch(4, 128);
      try (TfTrainStep step = TfProfile.sftStep(e, new Gpt(ModelConfig.of(49152, 12, 9, 576, 128)))) {
        step.run(batch, 1e-3f);
        RunMetadata[] md = new RunMetadata[1];
        step.run(batch, 1e-3f, md);
        org.junit.jupiter.api.Assumptions.assumeTrue(md[0] != null, "TensorFlow returned no run metadata");
        List<NodeExecStats> nodes = TfTestSupport.nodes(md[0]);
        long peak = 0;
        String at = "";
        List<String> curve = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
          NodeExecStats n = nodes.get(i);
          long inUse = TfTestSupport.bytesInUse(n);
          if (inUse > peak) {
            peak = inUse;
            at = i + "/" + nodes.size() + " " + n.getNodeName();
          }
          if (i % Math.max(1, nodes.size() / 40) == 0) {
            curve.add(String.format(Locale.ROOT, "%5d %8.1f MiB  %s", i, inUse / 1048576.0, n.getNodeName()));
          }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(!at.isEmpty(), "no node reported memory");
        System.out.printf(Locale.ROOT, "peak in use %.1f MiB after node %s%n", peak / 1048576.0, at);
        // the nodes whose outputs are largest, in execution order, up to the peak
        List<String> big = new ArrayList<>();
        int peakIndex = Integer.parseInt(at.substring(0, at.indexOf('/')));
        for (int i = 0; i <= peakIndex; i++) {
          NodeExecStats n = nodes.get(i);
          long out = 0;
          for (var o : n.getOutputList()) {
            out += o.getTensorDescription().getAllocationDescription().getAllocatedBytes();
          }
          if (out >= (16L << 20)) {
            big.add(String.format(Locale.ROOT, "%5d %8.1f MiB out  %s", i, out / 1048576.0, n.getTimelineLabel().length() > 140 ? n.getTimelineLabel().substring(0, 140) : n.getTimelineLabel()));
          }
        }
        System.out.println("outputs of 16 MiB or more before the peak: " + big.size());
        big.forEach(System.out::println);
        curve.forEach(System.out::println);
      }
    }
  }
}
