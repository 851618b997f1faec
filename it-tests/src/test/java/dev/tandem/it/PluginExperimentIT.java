package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment is a plugin like an objective: a jar on the plugin path ({@code
 * TANDEM_MODULE_PATH}) that provides only a {@code dev.tandem.api.inject.Experiment} (compiled
 * here with the system Java compiler) is listed by {@code tandem demo --list} with its option and
 * run by {@code tandem demo hello}, which writes its report JSON. A second jar whose experiment is
 * named {@code spin}, like spin-module's, is skipped with one warning naming both; the experiment of
 * a jar skipped for another reason (its objective is named {@code dpo}) does not run. About 15 s.
 */
class PluginExperimentIT {
  @TempDir static Path dir;
  static Path hello;
  static Path clash;
  static Path skipped;

  @BeforeAll
  static void buildJars() throws Exception {
    List<Path> tandem = BrokenPluginsIT.tandemModules();
    hello = jar("hello.jar", BrokenPluginsIT.compile(dir.resolve("hello"), tandem, Map.of(
        "module-info.java", "module hello.plugin { requires dev.tandem.api; provides dev.tandem.api.inject.Experiment with hello.plugin.Hello; }",
        "hello/plugin/Hello.java", experiment("hello", "Hello", "HELLO: writes a one-line report"))));
    clash = jar("spin-clash.jar", BrokenPluginsIT.compile(dir.resolve("clash"), tandem, Map.of(
        "module-info.java", "module clash.plugin { requires dev.tandem.api; provides dev.tandem.api.inject.Experiment with clash.plugin.Spin; }",
        "clash/plugin/Spin.java", experiment("clash", "Spin", "SPIN: another one"))));
    // an experiment in a jar that is skipped for its objective's name (Tandem's own dpo)
    skipped = jar("skipped.jar", BrokenPluginsIT.compile(dir.resolve("skipped"), tandem, Map.of(
        "module-info.java", "module skipped.plugin { requires dev.tandem.api; provides dev.tandem.api.inject.Experiment with skipped.plugin.Skipped; "
            + "provides dev.tandem.api.objective.Objective with skipped.plugin.Dpo; }",
        "skipped/plugin/Skipped.java", experiment("skipped", "Skipped", "SKIPPED: never runs"),
        "skipped/plugin/Dpo.java", "package skipped.plugin;\n"
            + "import dev.tandem.api.engine.*; import dev.tandem.api.model.CausalLM; import dev.tandem.api.tensor.*; import java.util.List;\n"
            + "public class Dpo implements dev.tandem.api.objective.Objective {\n"
            + "  public String name() { return \"dpo\"; }\n"
            + "  public dev.tandem.api.objective.InputLayout inputLayout() { return dev.tandem.api.objective.InputLayout.PREFERENCE_PAIRS; }\n"
            + "  public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) { throw new UnsupportedOperationException(); }\n"
            + "}\n")));
  }

  @Test
  void anExperimentOfASkippedJarDoesNotRun() throws Exception {
    Path out = dir.resolve("skipped-out");
    ModulePathJava.Result run = ModulePathJava.tandem().pluginPath(skipped).runCli("demo", "skipped", "--output", out.toString());
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.err().contains("warning: plugin " + skipped + " skipped: objective 'dpo' (skipped.plugin.Dpo) is already provided by "
        + "dev.tandem.spin.DpoObjective (module dev.tandem.spin)"), run.toString());
    assertTrue(run.err().contains("error: experiment 'skipped' is not available: its plugin jar was skipped (see the warning above)"), run.toString());
    assertTrue(!Files.exists(out.resolve("skipped_report.json")), run.toString());
  }

  @Test
  void demoListsAndRunsAPluginPathExperiment() throws Exception {
    ModulePathJava.Result list = ModulePathJava.tandem().pluginPath(hello, clash).runCli("demo", "--list");
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.out().lines().anyMatch("hello\tHELLO: writes a one-line report"::equals), list.toString());
    assertTrue(list.out().contains("  greeting (string, default hi): what the report says"), list.toString());
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("spin\tSPIN: self-play")), "spin-module's spin stays: " + list);
    assertEquals(List.of("warning: plugin " + clash + " skipped: experiment 'spin' (clash.plugin.Spin) is already provided by "
            + "dev.tandem.spin.demo.SpinDemo (module dev.tandem.spin)"),
        list.err().lines().filter(l -> l.startsWith("warning: plugin ")).toList(), list.toString());
    assertEquals(List.of(), list.stackTraceLines(), list.toString());

    Path out = dir.resolve("out");
    ModulePathJava.Result run = ModulePathJava.tandem().pluginPath(hello).runCli("demo", "hello", "--output", out.toString(), "--greeting", "bonjour");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("hello: greeting bonjour"), run.toString());
    JsonNode report = new ObjectMapper().readTree(out.resolve("hello_report.json").toFile());
    assertEquals("bonjour", report.get("greeting").asText(), report.toString());
    assertEquals("", run.err().lines().filter(l -> l.startsWith("warning: ")).findFirst().orElse(""), run.toString());
  }

  /** An experiment {@code PKG.plugin.CLS} named {@code name} whose run writes {@code NAME_report.json} with its greeting. */
  private static String experiment(String pkg, String cls, String description) {
    String name = cls.equals("Spin") ? "spin" : pkg;
    return "package " + pkg + ".plugin;\n"
        + "import dev.tandem.api.inject.*; import dev.tandem.api.option.OptionSpec; import java.nio.file.*; import java.util.List;\n"
        + "public class " + cls + " implements Experiment {\n"
        + "  public String name() { return \"" + name + "\"; }\n"
        + "  public String description() { return \"" + description + "\"; }\n"
        + "  public List<OptionSpec> options() { return List.of(new OptionSpec(\"greeting\", String.class, \"hi\", \"what the report says\")); }\n"
        + "  public List<String> reports() { return List.of(\"" + name + "_report.json\"); }\n"
        + "  public Result run(ExperimentContext ctx) throws Exception {\n"
        + "    String g = ctx.options().getString(\"greeting\");\n"
        + "    ctx.out().println(\"" + name + ": greeting \" + g);\n"
        + "    Path report = Files.writeString(ctx.output().resolve(\"" + name + "_report.json\"), \"{\\\"greeting\\\": \\\"\" + g + \"\\\"}\\n\");\n"
        + "    return new Result(report, null, table(ctx.output()));\n"
        + "  }\n"
        + "  public String table(Path output) throws java.io.IOException {\n"
        + "    return \"| greeting |\\n| --- |\\n| \" + Files.readString(output.resolve(\"" + name + "_report.json\")).split(\"\\\"\")[3] + \" |\\n\";\n"
        + "  }\n"
        + "}\n";
  }

  private static Path jar(String name, Path classes) throws IOException {
    Path jar = dir.resolve(name);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
    return jar;
  }
}
