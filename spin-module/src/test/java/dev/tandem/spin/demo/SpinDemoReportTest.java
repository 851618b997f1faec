package dev.tandem.spin.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.train.Intervals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpinDemoReportTest {
  @TempDir Path dir;

  /** A task of 2 iterations where SPIN's exact match is {@code spin} per seed and everything else {@code base}. */
  static SpinDemoReport.TaskResult task(double[] base, double[] spin, double[] cont) {
    List<SpinDemoReport.Stage> stages = new ArrayList<>();
    for (String s : SpinExperiment.stageNames(2)) {
      double[] em = s.startsWith("iter") ? spin : s.startsWith("continued") ? cont : base;
      Map<String, double[]> v = new LinkedHashMap<>();
      v.put("exact_match", em);
      v.put("nll", em.clone());
      double[] acc = new double[base.length];
      java.util.Arrays.fill(acc, s.equals("sft") ? Double.NaN : 0.7);
      v.put("rewards_accuracies", acc);
      stages.add(new SpinDemoReport.Stage(s, v));
    }
    Map<String, Integer> sizes = Map.of("train", 10, "validation", 5, "test", 5);
    SpinDemoReport.Grid grid = new SpinDemoReport.Grid("beta", 1, "validation exact_match after SPIN iter0", List.of(0.1, 2.0), List.of(0.2, 0.3), 2.0);
    List<SpinDemoReport.SftRun> sft = new ArrayList<>();
    for (int i = 0; i < base.length; i++) {
      sft.add(new SpinDemoReport.SftRun(i + 1, List.of(1.5, 1.0, 1.1), 2));
    }
    return new SpinDemoReport.TaskResult("addition", sizes, "GPT", grid, sft, stages);
  }

  @Test
  void writesTheSameBytesForTheSameResultsAndReadsThemBack() throws Exception {
    SpinDemoReport r = new SpinDemoReport("djl", 1, List.of(1L, 2L, 3L), "settings", List.of(task(new double[] {0.5, 0.6, 0.55}, new double[] {0.7, 0.8, 0.72},
        new double[] {0.5, 0.62, 0.56})));
    r.write(dir.resolve("a.json"));
    SpinDemoReport back = SpinDemoReport.read(dir.resolve("a.json"));
    back.write(dir.resolve("b.json"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.json")), Files.readAllBytes(dir.resolve("b.json")));
    assertEquals(r.table(), back.table());
    String json = Files.readString(dir.resolve("a.json"));
    assertTrue(json.contains("\"engine\" : \"djl\"") || json.contains("\"engine\":\"djl\""), json);
    assertTrue(r.table().contains("engine djl, 1 thread, seeds [1, 2, 3]"), r.table());
    assertNull(back.tasks().get(0).stage("sft").metric("rewards_accuracies"), "no opponent before SPIN");
  }

  @Test
  void statesAClaimOnlyWhenThePairedIntervalExcludesZero() {
    // SPIN above SFT in every seed by a steady margin: holds; against continued SFT, mixed: unresolved
    SpinDemoReport.TaskResult t = task(new double[] {0.5, 0.6, 0.55}, new double[] {0.7, 0.8, 0.76}, new double[] {0.8, 0.7, 0.76});
    Map<String, Intervals.Verdict> v = new LinkedHashMap<>();
    SpinDemoReport.comparisons(t).forEach(c -> v.put(c.claim() + "/" + c.metric(), c.verdict()));
    assertEquals(Intervals.Verdict.HOLDS, v.get("SPIN > converged SFT/exact_match"));
    assertEquals(Intervals.Verdict.UNRESOLVED, v.get("continued SFT does not match SPIN/exact_match"));
    // lower NLL is better: SPIN's higher "NLL" here counts against it
    assertEquals(Intervals.Verdict.REVERSED, v.get("SPIN > converged SFT/nll"));
  }

  @Test
  void oneSeedStatesNothing() {
    SpinDemoReport.TaskResult t = task(new double[] {0.5}, new double[] {0.9}, new double[] {0.1});
    SpinDemoReport.comparisons(t).forEach(c -> assertEquals(Intervals.Verdict.UNRESOLVED, c.verdict(), c.toString()));
  }
}
