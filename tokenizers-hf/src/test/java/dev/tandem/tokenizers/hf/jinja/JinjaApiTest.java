package dev.tandem.tokenizers.hf.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The public API with Java-side values: boxed types, nulls, limits, concurrency. */
class JinjaApiTest {
  @Test
  void javaValueTypes() {
    Map<String, Object> vars = new HashMap<>();
    vars.put("i", 3);
    vars.put("l", 4L);
    vars.put("f", 1.5f);
    vars.put("d", 2.0);
    vars.put("b", Boolean.FALSE);
    vars.put("n", null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("k", List.of(1, "two", 3.0));
    vars.put("m", m);
    JinjaTemplate t = JinjaTemplate.parse(
        "{{ i + l }} {{ i * d }} {{ f }} {{ b }} {{ n }} {{ n is none }} {{ m }} {{ m|tojson }}"
            + " {{ i == 3.0 }} {{ m.k[1] }} {{ m['k']|length }}", "types");
    assertEquals("7 6.0 1.5 False None True {'k': [1, 'two', 3.0]} {\"k\": [1, \"two\", 3.0]}"
        + " True two 3", t.render(vars));
    assertEquals("", JinjaTemplate.parse("", "empty").render(null));
  }

  @Test
  void limitsDefaultsAndValidation() {
    Limits d = Limits.defaults();
    assertEquals(1_000_000, d.maxOutputChars());
    assertEquals(1_000_000L, d.maxLoopIterations());
    assertEquals(64, d.maxCallDepth());
    assertThrows(IllegalArgumentException.class, () -> new Limits(0, 1, 1));
    JinjaTemplate t = JinjaTemplate.parse("{{ 'x' * 11 }}", "small");
    TemplateException e = assertThrows(TemplateException.class,
        () -> t.render(Map.of(), new Limits(10, 10, 1)));
    assertTrue(e.getMessage().startsWith("small:1: sandbox limit exceeded"), e.getMessage());
    assertEquals("xxxxxxxxxxx", t.render(Map.of(), new Limits(11, 10, 1)));
  }

  @Test
  void strftimeNowReadsTheGivenClock() {
    Clock clock = Clock.fixed(LocalDateTime.of(2024, 7, 6, 15, 4, 5).toInstant(ZoneOffset.UTC),
        ZoneOffset.UTC);
    String out = JinjaTemplate.parse(
        "{{ strftime_now('%Y-%m-%d|%d %b %Y|%B %e|%H:%M:%S %I %p|%a %A|%j|%y|%%|%q') }}", "date")
        .render(Map.of(), Limits.defaults(), clock);
    assertEquals("2024-07-06|06 Jul 2024|July  6|15:04:05 03 PM|Sat Saturday|188|24|%|%q", out);
  }

  @Test
  void strftimeNowDefaultsToTheSystemClock() {
    LocalDate before = LocalDate.now();
    String out = JinjaTemplate.parse("{{ strftime_now('%Y-%m-%d') }}", "date").render(Map.of());
    LocalDate after = LocalDate.now();
    assertTrue(out.equals(before.toString()) || out.equals(after.toString()), out);
  }

  @Test
  void concurrentRendersShareOneTemplate() throws Exception {
    JinjaTemplate t = JinjaTemplate.parse("{% set ns = namespace(s=0) %}{% for x in xs %}"
        + "{% set ns.s = ns.s + x %}{% endfor %}{{ ns.s }}", "conc");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        List<Object> xs = new ArrayList<>();
        for (int j = 0; j <= k; j++) {
          xs.add(j);
        }
        results.add(pool.submit(() -> t.render(Map.of("xs", xs))));
      }
      for (int k = 0; k < 50; k++) {
        assertEquals(String.valueOf(k * (k + 1) / 2), results.get(k).get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void unknownJavaObjectsAreOpaque() {
    JinjaTemplate t = JinjaTemplate.parse("{{ o }}|{{ o.getClass }}|{{ o.toString }}", "opaque");
    assertEquals("<object>||", t.render(Map.of("o", new StringBuilder("secret").append('!')
        .reverse().getClass().getModule())));
  }
}
