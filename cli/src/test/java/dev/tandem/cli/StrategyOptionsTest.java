package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.Composition;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.option.OptionSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A strategy's declared options reach it from {@code compose} flags with no strategy-specific CLI code. */
class StrategyOptionsTest {
  /** A strategy the CLI knows nothing about. */
  static final class Toy implements CompositionStrategy {
    @Override
    public String name() {
      return "toy";
    }

    @Override
    public List<OptionSpec> options() {
      return List.of(
          new OptionSpec("width", Integer.class, "3", "how wide"),
          new OptionSpec("use-bias", Boolean.class, "false", "whether to add a bias"));
    }

    @Override
    public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Composition build(List<BaseModel> bases, JsonNode settings) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void flagsAndOptionPairsReachTheStrategy() {
    ComposeCommand c = new ComposeCommand();
    new CommandLine(c).parseArgs("--strategy", "toy", "--anchor", "a", "--data", "d", "-o", "o", "--width", "5", "--use_bias",
        "--option", "beta=0.2", "--learning-rate", "1e-3");
    assertEquals(List.of("--width", "5", "--use_bias"), c.strategyFlags);
    Map<String, String> pairs = new LinkedHashMap<>(c.objectiveOptions.options);
    Map<String, String> values = ComposeCommand.strategyOptions(new Toy(), pairs, c.strategyFlags);
    assertEquals(Map.of("width", "5", "use-bias", "true"), values);
    assertEquals(Map.of("beta", "0.2"), pairs, "what the strategy does not declare is left for the objective");
    Map<String, String> viaOption = new LinkedHashMap<>(Map.of("width", "7"));
    assertEquals(Map.of("width", "7", "use-bias", "false"), ComposeCommand.strategyOptions(new Toy(), viaOption, List.of("--use-bias=false")));
    assertEquals(Map.of(), viaOption);
  }

  @Test
  void unknownFlagBadValueAndTwiceAreErrorsListingTheOptions() {
    String unknown = assertThrows(IllegalArgumentException.class,
        () -> ComposeCommand.strategyOptions(new Toy(), new LinkedHashMap<>(), List.of("--depth", "2"))).getMessage();
    assertTrue(unknown.contains("unknown option '--depth'") && unknown.contains("its options: width, use-bias"), unknown);
    String bad = assertThrows(IllegalArgumentException.class,
        () -> ComposeCommand.strategyOptions(new Toy(), new LinkedHashMap<>(), List.of("--width=wide"))).getMessage();
    assertTrue(bad.contains("option width: 'wide' is not an int"), bad);
    String twice = assertThrows(IllegalArgumentException.class,
        () -> ComposeCommand.strategyOptions(new Toy(), new LinkedHashMap<>(Map.of("width", "2")), List.of("--width", "4"))).getMessage();
    assertTrue(twice.contains("given twice"), twice);
  }

  @Test
  void composeWithAnUnknownStrategyOptionExitsOneListingTheOptions() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"compose", "--strategy", "lora", "--anchor", "none", "--data", "none.jsonl", "-o", "none", "--depth", "2"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("unknown option '--depth'") && err.toString().contains("its options: rank, alpha, targets"), err.toString());
  }

  @Test
  void strategiesListsEachStrategyWithItsOptions() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(new String[] {"strategies"}, new PrintWriter(out, true), new PrintWriter(err, true)), err.toString());
    String s = out.toString();
    assertTrue(s.contains("calm\tdev.tandem.calm.CalmStrategy\t"), s);
    assertTrue(s.contains("lora\tdev.tandem.calm.LoraStrategy\t"), s);
    assertTrue(s.contains("  connect_every (int, default 4): "), s);
    assertTrue(s.contains("  connections (string, default none): "), s);
    assertTrue(s.contains("  rank (int, default 8): the adapters' rank r"), s);
  }
}
