package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Experiments registered with the facade: by name, in name order, a clear error for a clash or an unknown name. */
class ExperimentRegistryTest {
  /** A minimal experiment: one option, reports its value on the progress output. */
  static class Echo implements Experiment {
    private final String name;

    Echo(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return "ECHO: prints its option";
    }

    @Override
    public List<OptionSpec> options() {
      return List.of(new OptionSpec("steps", Integer.class, "3", "how many"));
    }

    @Override
    public List<String> reports() {
      return List.of("echo.json");
    }

    @Override
    public Result run(ExperimentContext ctx) {
      ctx.out().print("steps=" + ctx.options().getInt("steps"));
      return new Result(ctx.output().resolve("echo.json"), null, "");
    }

    @Override
    public String table(Path output) {
      return "";
    }
  }

  static final class Other extends Echo {
    Other() {
      super("b");
    }
  }

  @Test
  void experimentsAreFoundByNameInNameOrder() throws Exception {
    Echo b = new Echo("b");
    Echo a = new Echo("a");
    Tandem tandem = Tandem.builder().discover(false).experiment(b).experiment(a).build();
    assertEquals(List.of("a", "b"), List.copyOf(tandem.experiments().keySet()));
    assertSame(a, tandem.experiment("a"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tandem.experiment("c"));
    assertTrue(e.getMessage().contains("a, b"), e.getMessage());

    StringWriter out = new StringWriter();
    OptionValues values = OptionValues.parse("experiment 'a'", a.options(), Map.of("steps", "7"));
    a.run(ExperimentContext.of(tandem, threads -> null, values, Path.of("x"), new PrintWriter(out, true), task -> null));
    assertEquals("steps=7", out.toString());
    assertThrows(IllegalArgumentException.class, () -> OptionValues.parse("experiment 'a'", a.options(), Map.of("stepz", "7")));
  }

  @Test
  void twoClassesClaimingOneNameIsAnErrorNamingBoth() {
    Tandem tandem = Tandem.builder().discover(false).experiment(new Echo("b")).experiment(new Other()).build();
    IllegalStateException e = assertThrows(IllegalStateException.class, tandem::experiments);
    assertTrue(e.getMessage().contains("Echo") && e.getMessage().contains("Other"), e.getMessage());
  }

  @Test
  void anUnknownWorkflowSaysNoPluginProvidesOne() {
    Tandem tandem = Tandem.builder().discover(false).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tandem.workflow("spin"));
    assertTrue(e.getMessage().contains("workflow 'spin'") && e.getMessage().contains("no plugin"), e.getMessage());
  }
}
