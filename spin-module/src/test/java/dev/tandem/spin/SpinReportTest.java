package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpinReportTest {
  @TempDir Path dir;

  static Map<String, Object> line(String stage, Object em, Object nll, Object acc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("stage", stage);
    if (em != null) {
      m.put("eval_exact_match", em);
    }
    m.put("eval_nll", nll);
    if (acc != null) {
      m.put("eval_rewards/accuracies", acc);
    }
    return m;
  }

  @Test
  void writesTheIssuesJsonShapeAndReadsItBack() throws Exception {
    SpinReport.Task addition =
        SpinReport.task("addition", List.of(line("sft", 0.09, 0.73, null), line("iter0", 0.1, 0.72, 0.51), line("continued_sft", 0.5, 0.4, 0.8)));
    SpinReport.Task wordnet = SpinReport.task("wordnet", List.of(line("sft", null, 2.5, null), line("iter0", null, 2.6, 0.6)));
    SpinReport report = new SpinReport(List.of(addition, wordnet));
    Path file = dir.resolve(SpinReport.FILE);
    report.write(file);
    String json = Files.readString(file);
    assertTrue(json.contains("\"tasks\""), json);
    assertTrue(json.contains("\"stage\" : \"continued_sft\""), json);
    assertTrue(json.contains("\"exact_match\" : null"), json);
    assertTrue(json.contains("\"rewards_accuracies\" : 0.51"), json);
    SpinReport back = SpinReport.read(file);
    assertEquals(report, back);
    assertNull(back.tasks().get(1).stages().get(0).exactMatch());

    String table = report.table();
    String[] lines = table.split("\n");
    assertTrue(lines[0].matches("task\\s+metric\\s+SFT\\s+iter0\\s+continued SFT"), lines[0]);
    assertEquals(6, lines.length, table); // header, 3 addition rows, wordnet dev_nll and rewards_accuracies (no exact_match)
    assertTrue(table.contains("wordnet    dev_nll"), table);
    assertTrue(!table.contains("wordnet    exact_match"), table);
  }
}
