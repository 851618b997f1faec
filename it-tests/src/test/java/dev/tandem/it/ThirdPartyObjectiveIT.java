package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A third party's objective from its own jar ({@code examples/third-party-objective}: IPO, {@code
 * (h - 1/(2 beta))^2}): with the jar on the plugin path ({@code TANDEM_MODULE_PATH}, a module layer of its own), {@code tandem dpo --objective ipo --option
 * beta=B} trains with the IPO loss on every engine (the option it declares reaches it with no CLI
 * change) and {@code tandem objectives} lists it with its option; without it, the name is a clear
 * error listing the known ones.
 * The CLI runs in a child JVM laid out as the {@code ./tandem} launcher lays it out, so only the
 * jar's {@code module-info} can have registered the objective.
 */
class ThirdPartyObjectiveIT {
  static final String IPO_JAR = "tandem.jar.third-party-objective";

  @TempDir static Path dir;
  static Path model;
  static Path pairs;

  @BeforeAll
  static void init() throws Exception {
    model = dir.resolve("model");
    Cli c = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32", "--seed", "5");
    assertEquals(0, c.exit(), c.toString());
    // the right sum preferred to the sum plus one
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int a = i % 7;
      int b = (3 * i) % 5;
      lines.add(json.writeValueAsString(Map.of("prompt", a + "+" + b + "=", "chosen", Integer.toString(a + b), "rejected", Integer.toString(a + b + 1))));
    }
    pairs = dir.resolve("pairs.jsonl");
    Files.write(pairs, lines);
  }

  private static List<String> dpo(String engine, Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("dpo", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", pairs.toString(),
        "--output", output.toString()));
    args.addAll(List.of(more));
    return args;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void ipoFromItsJarTrainsWithTheIpoLoss(String engine) throws Exception {
    float beta = 0.5f;
    double target = 1 / (2.0 * beta);
    Path out = dir.resolve("ipo-" + engine);
    ModulePathJava.Result r =
        ModulePathJava.tandem()
            .pluginPath(ModulePathJava.jar(IPO_JAR))
            .run(ModulePathJava.CLI_MAIN, dpo(engine, out, "--eval-data", pairs.toString(), "--objective", "ipo", "--option", "beta=" + beta,
                "--max-steps", "24", "--batch-size", "4", "--learning-rate", "2e-3", "--logging-steps", "1", "--seed", "1"));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("ipo(beta 0.5)"), r.out());

    // step 1: the policy is the reference, so every margin h is 0 and the loss is (0 - 1/(2 beta))^2
    // (DPO's would be ln 2)
    List<Map<String, Object>> lines = MetricsLog.read(out.resolve("metrics.jsonl"));
    assertEquals(24, lines.size());
    Map<String, Object> first = lines.get(0);
    assertEquals(1, ((Number) first.get("step")).intValue());
    assertEquals(target * target, number(first, "loss"), 1e-4, first.toString());
    assertEquals(0, number(first, "rewards/margins"), 1e-5, first.toString());

    // the end, over all pairs: the loss fell below its start of 1, and it is the mean of (h - target)^2,
    // so by Jensen at least (mean h - target)^2, where mean h = rewards/margins / beta
    Map<?, ?> eval = new ObjectMapper().readValue(r.lastLine(), Map.class);
    double loss = ((Number) eval.get("eval_loss")).doubleValue();
    double meanMargin = ((Number) eval.get("eval_rewards/margins")).doubleValue() / beta;
    assertTrue(loss < 0.8 * target * target, "the IPO loss falls: " + eval);
    assertTrue(meanMargin > 0, "chosen answers gain on rejected ones: " + eval);
    assertTrue(loss >= (meanMargin - target) * (meanMargin - target) - 1e-4, "loss is a mean of squares around the target: " + eval);
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    System.out.println(engine + ": step 1 " + first + "\n" + engine + ": end " + eval);
  }

  @Test
  void withoutTheJarIpoIsAnUnknownObjective() throws Exception {
    String engine = AllEngines.names().findFirst().orElseThrow();
    ModulePathJava.Result r = ModulePathJava.tandem().run(ModulePathJava.CLI_MAIN, dpo(engine, dir.resolve("no-ipo"), "--objective", "ipo", "--max-steps", "1"));
    assertEquals(1, r.exit(), r.toString());
    assertEquals("error: unknown objective 'ipo', known: dpo, simpo, spin", r.err().strip(), r.toString());
    assertFalse(Files.exists(dir.resolve("no-ipo")), "nothing written");

    // with the jar, sft points to the command that trains a preference objective
    ModulePathJava.Result sft = ModulePathJava.tandem().pluginPath(ModulePathJava.jar(IPO_JAR))
        .runCli("sft", "--engine", engine, "--model", model.toString(), "--data", pairs.toString(), "--output", dir.resolve("sft-ipo").toString(), "--objective", "ipo");
    assertEquals(1, sft.exit(), sft.toString());
    assertEquals("error: objective 'ipo' trains on PREFERENCE_PAIRS, not on sequences; use the command made for it: tandem dpo --objective ipo", sft.err().strip(),
        sft.toString());
  }

  @Test
  void objectivesListsWhereEachCameFrom() throws Exception {
    ModulePathJava.Result without = ModulePathJava.tandem().runCli("objectives");
    assertEquals(0, without.exit(), without.toString());
    assertEquals(List.of("dpo", "sft", "simpo", "spin"), names(without.out()));

    ModulePathJava.Result with = ModulePathJava.tandem().pluginPath(ModulePathJava.jar(IPO_JAR)).runCli("objectives");
    assertEquals(0, with.exit(), with.toString());
    assertEquals("", with.err(), "no warning: " + with);
    assertEquals(List.of("dpo", "ipo", "sft", "simpo", "spin"), names(with.out()));
    assertTrue(with.out().contains("ipo\tdpo\torg.example.tandem.ipo.IpoObjective\tmodule org.example.tandem.ipo ("), with.out());
    assertTrue(with.out().contains("\n  beta (float, default 0.1): the paper's tau: the margin's target is 1/(2 beta), > 0\n"), with.out());

    // an application that puts the jar on the boot module path itself finds it there too
    ModulePathJava.Result boot = ModulePathJava.tandem().modulePath(ModulePathJava.jar(IPO_JAR)).runCli("objectives");
    assertEquals(0, boot.exit(), boot.toString());
    assertEquals(List.of("dpo", "ipo", "sft", "simpo", "spin"), names(boot.out()));

    // an application without modules: every jar on the class path, where META-INF/services registers it
    ModulePathJava.Result classPath = ModulePathJava.tandem().modulePath(ModulePathJava.jar(IPO_JAR)).runOnClassPath("dev.tandem.cli.Main", List.of("objectives"));
    assertEquals(0, classPath.exit(), classPath.toString());
    assertTrue(classPath.out().contains("ipo\tdpo\torg.example.tandem.ipo.IpoObjective\tclass path ("), classPath.out());
  }

  private static List<String> names(String out) {
    return out.strip().lines().filter(l -> !l.startsWith(" ")).map(l -> l.split("\t")[0]).toList();
  }

  private static double number(Map<String, Object> line, String key) {
    return ((Number) line.get(key)).doubleValue();
  }
}
