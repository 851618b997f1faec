package dev.tandem.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir Path dir;

  @Test
  void truncateKeepsLinesUpToTheCheckpointAndDropsATornLine() throws Exception {
    MetricsLog log = new MetricsLog(dir.resolve("metrics.jsonl"));
    for (int s = 10; s <= 40; s += 10) {
      log.append(Map.of("step", s, "loss", 1.0 / s));
    }
    Files.writeString(log.file(), "{\"step\": 50, \"lo", StandardOpenOption.APPEND);
    log.truncateAfter(20);
    var lines = MetricsLog.read(log.file());
    assertEquals(2, lines.size());
    assertEquals(20, ((Number) lines.get(1).get("step")).intValue());
  }
}
