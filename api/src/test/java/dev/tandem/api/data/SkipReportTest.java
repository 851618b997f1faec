package dev.tandem.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SkipReportTest {
  @Test
  void collectsCountsAndTheFirstSources() {
    SkipReport r = SkipReport.collecting();
    assertTrue(r.isEmpty());
    assertEquals("nothing skipped", r.toString());
    for (int i = 1; i <= 7; i++) {
      r.skip("f:" + i, "too long", i + " tokens");
    }
    r.skip("f:9", "other", "");
    assertEquals(8, r.total());
    assertEquals(Map.of("too long", 7, "other", 1), r.counts());
    assertEquals(List.of("f:1", "f:2", "f:3", "f:4", "f:5"), r.sources("too long"));
    assertEquals("skipped 8 examples: 7 too long (f:1, f:2, f:3, f:4, f:5, ...); 1 other (f:9)", r.toString());
  }

  @Test
  void strictReportsFailOnTheFirstSkip() {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> SkipReport.strict().skip("f:3", "too long", "300 tokens"));
    assertEquals("f:3: too long (300 tokens)", e.getMessage());
    assertEquals("f:3", e.source());
    assertEquals("too long (300 tokens)", e.problem());
  }
}
