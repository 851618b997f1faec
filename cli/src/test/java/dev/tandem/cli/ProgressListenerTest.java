package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The end-of-run line names the loss it reports. */
class ProgressListenerTest {
  private static Map<String, Object> line(long step, double loss) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", step);
    m.put("loss", loss);
    return m;
  }

  @Test
  void summaryNamesTheTrainingMeanAndTheHeldOutLoss() {
    StringWriter out = new StringWriter();
    ProgressListener p = new ProgressListener("sft", new PrintWriter(out), false);
    p.onStart(0, 20);
    p.onLog(line(10, 3.5));
    p.onLog(line(20, 2.25));
    p.onEnd(20);
    assertTrue(out.toString().contains("sft: step=20 loss=2.25"), out.toString());
    assertEquals("loss 2.2500 (training, mean of steps 11-20), eval_loss 2.1000 (held-out)", p.lossSummary(2.1));
    assertEquals("loss 2.2500 (training, mean of steps 11-20)", p.lossSummary(null));
  }

  @Test
  void resumedRunCountsFromItsFirstStep() {
    ProgressListener p = new ProgressListener("dpo", new PrintWriter(new StringWriter()), false);
    p.onStart(15, 16);
    p.onLog(line(16, 0.5));
    assertEquals("loss 0.5000 (training, mean of step 16)", p.lossSummary(null));
  }

  @Test
  void nothingTrained() {
    ProgressListener p = new ProgressListener("sft", new PrintWriter(new StringWriter()), false);
    p.onStart(20, 20);
    assertEquals("no steps trained", p.lossSummary(null));
  }
}
