package dev.tandem.api.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OpProfileTest {
  @Test
  void selfTimeSubtractsDirectlyNestedEventsPerThread() throws Exception {
    // thread 1: linear [0,100) > matmul [10,90) > mm [20,80); then add [100,130)
    // thread 2: mm [0,50) overlapping thread 1 in time but not nested in it
    String trace = """
        {"traceEvents": [
          {"ph": "X", "name": "aten::linear", "pid": 1, "tid": 1, "ts": 0, "dur": 100},
          {"ph": "X", "name": "aten::matmul", "pid": 1, "tid": 1, "ts": 10, "dur": 80},
          {"ph": "X", "name": "aten::mm", "pid": 1, "tid": 1, "ts": 20, "dur": 60},
          {"ph": "X", "name": "aten::add", "pid": 1, "tid": 1, "ts": 100, "dur": 30},
          {"ph": "X", "name": "aten::mm", "pid": 1, "tid": 2, "ts": 0, "dur": 50},
          {"ph": "i", "name": "marker", "pid": 1, "tid": 1, "ts": 5}
        ]}""";
    OpProfile p = OpProfile.fromChromeTrace(new ObjectMapper().readTree(trace));
    assertEquals(new OpProfile.Op("aten::mm", 2, 0.110, 55), round(p.ops().get(0)));
    assertEquals(new OpProfile.Op("aten::add", 1, 0.030), round(p.ops().get(1)));
    assertEquals(new OpProfile.Op("aten::linear", 1, 0.020), round(p.ops().get(2)));
    assertEquals(new OpProfile.Op("aten::matmul", 1, 0.020), round(p.ops().get(3)));
    assertEquals(0.180, p.totalMillis(), 1e-9);
    assertEquals(0.110 / 0.180, p.share(p.ops().get(0)), 1e-9);
    assertEquals(2, p.top(2).size());
  }

  @Test
  void theTypicalTimeIsTheMedianCallTimesTheCallsSoAStallDoesNotMoveIt() throws Exception {
    // five reshapes of 2 us and one that stalls for 50 ms
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      events.append(i == 0 ? "" : ",").append(String.format("{\"ph\": \"X\", \"name\": \"aten::reshape\", \"pid\": 1, \"tid\": 1, \"ts\": %d, \"dur\": %d}",
          i * 100_000, i == 3 ? 50_000 : 2));
    }
    OpProfile.Op op = OpProfile.fromChromeTrace(new ObjectMapper().readTree("[" + events + "]")).ops().get(0);
    assertEquals(6, op.calls());
    assertEquals(50.010, op.selfMillis(), 1e-9);
    assertEquals(2, op.medianSelfMicros(), 1e-9);
    assertEquals(0.012, op.typicalMillis(), 1e-9);
  }

  @Test
  void leastOfKeepsEachOpsLeastSelfTimeOverRuns() {
    // run 1 has a pause inside mm, run 2 inside add: the least of each drops both
    OpProfile r1 = new OpProfile(java.util.List.of(new OpProfile.Op("aten::mm", 4, 50), new OpProfile.Op("aten::add", 8, 2)), 52);
    OpProfile r2 = new OpProfile(java.util.List.of(new OpProfile.Op("aten::add", 8, 30), new OpProfile.Op("aten::mm", 4, 5)), 35);
    OpProfile least = OpProfile.leastOf(java.util.List.of(r1, r2));
    assertEquals(java.util.List.of(new OpProfile.Op("aten::mm", 4, 5), new OpProfile.Op("aten::add", 8, 2)), least.ops());
    assertEquals(7, least.totalMillis(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> OpProfile.leastOf(java.util.List.of()));
  }

  @Test
  void aTraceWithoutEventsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> OpProfile.fromChromeTrace(new ObjectMapper().readTree("{}")));
  }

  private static OpProfile.Op round(OpProfile.Op op) {
    return new OpProfile.Op(op.name(), op.calls(), Math.round(op.selfMillis() * 1e6) / 1e6, Math.round(op.medianSelfMicros() * 1e3) / 1e3);
  }
}
