package dev.tandem.tokenizers.hf.jinja;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The instant {@code golden.json} was rendered at: {@code render_golden.py} pins Jinja2's
 * {@code strftime_now} to the same {@code GOLDEN_NOW}, so templates that print today's date
 * compare on every day.
 */
public final class GoldenClock {
  /** 2026-12-02 12:00:00, read in UTC. */
  public static final Clock CLOCK = Clock.fixed(
      LocalDateTime.of(2026, 12, 2, 12, 0, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

  private GoldenClock() { }
}
