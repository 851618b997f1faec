package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineRegistry;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.cli.Main;
import dev.tandem.spin.demo.SyntheticTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every CLI command that takes {@code --engine} runs on every engine, and says on stderr which engine
 * it ran on ({@code engine: NAME (...)}). This class runs the light ones on a tiny model (sft, eval,
 * generate, bench, compose with calm and lora); the heavy ones are run on every engine by their own
 * it-tests, listed in {@link #ELSEWHERE}, and {@link #everyEngineCommandIsCovered} fails when a new
 * command takes {@code --engine} without being listed. It also proves the two other ways to choose
 * an engine: {@code TANDEM_ENGINE} for the CLI (in a child JVM) and the Guice facade's explicit
 * choice.
 */
class CliCommandsIT {
  /** Commands run here, on every engine. */
  static final List<String> HERE = List.of("sft", "eval", "generate", "bench", "compose");

  /** Commands run on every engine by other it-tests (which check the engine line too). */
  static final Map<String, String> ELSEWHERE =
      Map.of("spin", "SpinCliIT", "dpo", "SpinCliIT", "merge", "LoraIT", "demo spin", "SpinDemoIT", "demo calm", "CalmDemoIT",
          "demo", "CliCommandsIT#theWholeDemoSaysWhichExperimentFailed (the full run is measured by hand, see README)");

  @TempDir Path dir;

  @Test
  void everyEngineCommandIsCovered() {
    TreeSet<String> withEngine = new TreeSet<>();
    collect(Main.commandLine(), "", withEngine);
    TreeSet<String> covered = new TreeSet<>(HERE);
    covered.addAll(ELSEWHERE.keySet());
    assertEquals(covered, withEngine, "commands that take --engine, against those the it-tests run on every engine");
  }

  private static void collect(CommandLine cl, String prefix, TreeSet<String> into) {
    for (var e : cl.getSubcommands().entrySet()) {
      String name = (prefix + " " + e.getKey()).strip();
      if (e.getValue().getCommandSpec().findOption("--engine") != null) {
        into.add(name);
      }
      collect(e.getValue(), name, into);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void everyLightCommandRunsOnTheEngineItWasGiven(String engine) throws Exception {
    Path model = dir.resolve("init");
    Cli init = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32", "--seed", "5");
    assertEquals(0, init.exit(), init.toString());
    Path train = dir.resolve("train.jsonl");
    Path eval = dir.resolve("eval.jsonl");
    SyntheticTask.ADDITION.generate(4, 64, 16).write(train, eval);
    List<String> on = List.of("--engine", engine, "--threads", AllEngines.THREADS);

    Path sftDir = dir.resolve("sft");
    Cli sft = run(engine, "sft", on, "--model", model.toString(), "--data", train.toString(), "--eval-data", eval.toString(), "--output", sftDir.toString(),
        "--max-steps", "6", "--batch-size", "8", "--logging-steps", "3");
    ModelDirectory.load(sftDir);
    assertTrue(Files.isRegularFile(sftDir.resolve("metrics.jsonl")), sft.toString());

    Cli ev = run(engine, "eval", on, "--model", sftDir.toString(), "--data", eval.toString(), "--limit", "8");
    JsonNode line = new ObjectMapper().readTree(ev.lastLine());
    assertTrue(line.get("loss").isNumber() && line.get("loss").doubleValue() > 0, ev.lastLine());
    assertEquals(8, line.get("examples").asInt(), ev.lastLine());
    assertTrue(line.get("exact_match").isNumber(), ev.lastLine());

    Cli gen = run(engine, "generate", on, "--model", sftDir.toString(), "--prompt", "1+2=", "--prompt", "10+20=", "--max-new-tokens", "4");
    assertEquals(2, gen.out().lines().count(), "one line per prompt (empty if the tiny model ends at once): " + gen.out());

    Cli bench = run(engine, "bench", on, "--model", sftDir.toString(), "--steps", "2", "--new-tokens", "4", "--batch-size", "2", "--generate-trials", "1");
    JsonNode b = new ObjectMapper().readTree(bench.lastLine());
    assertEquals(engine, b.get("engine").asText(), bench.lastLine());

    Path calm = dir.resolve("calm");
    run(engine, "compose", on, "--strategy", "calm", "--anchor", sftDir.toString(), "--augment", model.toString(), "--connect-every", "1",
        "--data", train.toString(), "--output", calm.toString(), "--max-steps", "3", "--batch-size", "8");
    assertTrue(Files.isRegularFile(calm.resolve("composition.json")));
    Cli calmEval = run(engine, "eval", on, "--model", calm.toString(), "--data", eval.toString(), "--limit", "4");
    assertTrue(new ObjectMapper().readTree(calmEval.lastLine()).get("loss").doubleValue() > 0, calmEval.lastLine());

    Path lora = dir.resolve("lora");
    run(engine, "compose", on, "--strategy", "lora", "--anchor", sftDir.toString(), "--rank", "2", "--merge",
        "--data", train.toString(), "--output", lora.toString(), "--max-steps", "3", "--batch-size", "8");
    ModelDirectory.load(lora.resolve("merged"));
  }

  /** Runs a command with the engine options; it must exit 0 and name the engine it ran on first. */
  private static Cli run(String engine, String command, List<String> on, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(on);
    all.addAll(List.of(args));
    Cli c = Cli.run(all.toArray(String[]::new));
    assertEquals(0, c.exit(), command + ": " + c);
    assertRanOn(engine, c.err(), command);
    return c;
  }

  /** The first engine line of a command's stderr names {@code engine}. */
  static void assertRanOn(String engine, String err, String what) {
    String first = err.lines().filter(l -> l.startsWith("engine: ")).findFirst().orElse("(no engine line)");
    assertTrue(first.startsWith("engine: " + engine + " ("), what + " ran on " + first + ", not " + engine + "; stderr:\n" + err);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void tandemEngineSelectsTheEngineOfTheCli(String engine) throws Exception {
    Path model = dir.resolve("init");
    assertEquals(0, Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32").exit());
    Path log = dir.resolve("child.log");
    Process p = Cli.subprocess(List.of("generate", "--threads", AllEngines.THREADS, "--model", model.toString(), "--prompt", "hi", "--max-new-tokens", "2"), log,
        Map.of(EngineRegistry.ENV, engine));
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finishes");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    assertRanOn(engine, out, "generate with " + EngineRegistry.ENV + "=" + engine);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void theFacadeCreatesTheEngineItIsAskedFor(String engine) {
    Tandem tandem = Tandem.create();
    try (Engine e = tandem.engine(engine, new EngineOptions("cpu", 1))) {
      assertEquals(engine, e.name());
      float[] sum = e.download(e.eagerOps().add(e.upload(dev.tandem.api.tensor.HostTensor.of(new float[] {1, 2}, 2)),
          e.upload(dev.tandem.api.tensor.HostTensor.of(new float[] {3, 4}, 2)))).floats();
      assertEquals(List.of(4f, 6f), List.of(sum[0], sum[1]));
    }
    // an embedder's own registry, one engine only: chosen without a name
    var only = tandem.engines().find(engine).orElseThrow();
    Tandem single = Tandem.builder().discover(false).engine(only).build();
    assertEquals(engine, single.engines().select(null, Map.of()).name());
  }

  @Test
  void theWholeDemoSaysWhichExperimentFailed() {
    Cli demo = Cli.run("demo", "--engine", "nope", "--output", dir.resolve("demo").toString());
    assertEquals(1, demo.exit(), demo.toString());
    assertTrue(demo.out().contains("[1/2] SPIN") && demo.out().contains("[2/2] CALM"), "a header per stage:\n" + demo.out());
    assertTrue(demo.err().contains("unknown engine 'nope'"), demo.err());
    assertTrue(demo.err().contains("demo: SPIN (exit 1) and CALM (exit 1) failed"), demo.err());
    assertTrue(demo.out().contains("total wall time"), demo.out());
  }
}
