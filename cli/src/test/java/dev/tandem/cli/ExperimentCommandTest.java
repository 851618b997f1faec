package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.ExperimentContext;
import dev.tandem.api.option.OptionSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A third party's experiment gets its command from what it declares: flags, --option, --output. */
class ExperimentCommandTest {
  @TempDir Path dir;

  /** Records the options it ran with. */
  static final class Probe implements Experiment {
    String seen;

    @Override
    public String name() {
      return "probe";
    }

    @Override
    public String description() {
      return "PROBE: records its options";
    }

    @Override
    public List<OptionSpec> options() {
      return List.of(
          new OptionSpec("train-steps", Integer.class, "3", "how many steps"),
          new OptionSpec("rate", Float.class, "0.5", "how fast"));
    }

    @Override
    public List<String> reports() {
      return List.of("probe.json");
    }

    @Override
    public Result run(ExperimentContext ctx) {
      seen = ctx.options().getInt("train-steps") + " " + ctx.options().getFloat("rate") + " " + ctx.output().getFileName();
      return new Result(ctx.output().resolve("probe.json"), null, "");
    }

    @Override
    public String table(Path output) {
      return "";
    }
  }

  private int run(Probe probe, StringWriter err, String... args) {
    CommandLine cl = ExperimentCommand.create(probe);
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("error: " + e.getMessage());
      return 1;
    });
    return cl.execute(args);
  }

  @Test
  void flagsSnakeCaseAliasesAndOptionPairsSetTheDeclaredOptions() {
    Probe p = new Probe();
    assertEquals(0, run(p, new StringWriter(), "--output", dir.resolve("a").toString(), "--train_steps", "7", "--option", "rate=0.25"));
    assertEquals("7 0.25 a", p.seen);
    Probe q = new Probe();
    assertEquals(0, run(q, new StringWriter(), "-o", dir.resolve("b").toString()));
    assertEquals("3 0.5 b", q.seen, "the declared defaults");
  }

  @Test
  void anOptionGivenTwiceOrUnknownOrMalformedIsAClearError() {
    StringWriter err = new StringWriter();
    Probe p = new Probe();
    assertEquals(1, run(p, err, "--output", dir.toString(), "--rate", "1", "--option", "rate=2"));
    assertTrue(err.toString().contains("--rate and --option rate= both given"), err.toString());
    err = new StringWriter();
    assertEquals(1, run(p, err, "--output", dir.toString(), "--option", "speed=2"));
    assertTrue(err.toString().contains("has no option 'speed'") && err.toString().contains("train-steps, rate"), err.toString());
    err = new StringWriter();
    assertEquals(1, run(p, err, "--output", dir.toString(), "--train-steps", "many"));
    assertTrue(err.toString().contains("train-steps") && err.toString().contains("many"), err.toString());
    assertNull(p.seen, "it never ran");
  }
}
