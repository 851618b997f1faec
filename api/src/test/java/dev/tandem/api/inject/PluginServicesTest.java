package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.inject.Workflow;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin jar's workflows and composition strategies are found like its objectives: used when
 * they load, the jar skipped naming both when a name is taken, skipped naming the jar when a
 * provider fails. (Experiments from the plugin path, through the CLI: PluginExperimentIT.)
 */
class PluginServicesTest {
  @TempDir Path dir;

  @Test
  void aPluginsWorkflowAndStrategyAreUsedAndAClashingOneIsSkipped() throws Exception {
    Path good = plugin("good", "wf", "strat", "");
    Tandem tandem = Tandem.builder().pluginPath(List.of(good)).build();
    assertEquals(List.of(), tandem.brokenPlugins());
    assertEquals("good.plugin.W", tandem.workflow("wf").getClass().getName());
    assertEquals("good.plugin.S", tandem.composition("strat").getClass().getName());

    // a strategy named like one the application registered: the jar is skipped, both named
    Path taken = plugin("taken", "wf2", "mine", "");
    CompositionStrategy mine = tandem.composition("strat"); // any strategy instance, registered as "mine" below
    Tandem t2 = Tandem.builder().composition(new Renamed(mine, "mine")).pluginPath(List.of(taken)).build();
    assertEquals(1, t2.brokenPlugins().size(), t2.brokenPlugins().toString());
    assertEquals(taken, t2.brokenPlugins().get(0).jar());
    assertTrue(t2.brokenPlugins().get(0).reason().startsWith("composition strategy 'mine' (taken.plugin.S) is already provided by "
        + Renamed.class.getName()), t2.brokenPlugins().toString());
    assertTrue(!t2.workflows().containsKey("wf2"), "the whole jar is skipped: " + t2.workflows());

    // a workflow whose name() throws: skipped, naming the class
    Path throwing = plugin("throwing", "wf3", "strat3", "if (true) throw new IllegalStateException(\"no name\");");
    Tandem t3 = Tandem.builder().pluginPath(List.of(throwing)).build();
    assertEquals(List.of(new PluginLayers.Broken(throwing, "IllegalStateException: no name (in throwing.plugin.W)")), t3.brokenPlugins());
    assertTrue(!t3.compositions().containsKey("strat3"));
  }

  /** A strategy under another name. */
  record Renamed(CompositionStrategy s, String name) implements CompositionStrategy {
    @Override
    public com.fasterxml.jackson.databind.node.ObjectNode settings(List<dev.tandem.api.compose.BaseModel> bases, Map<String, String> options) {
      return s.settings(bases, options);
    }

    @Override
    public dev.tandem.api.compose.Composition build(List<dev.tandem.api.compose.BaseModel> bases, com.fasterxml.jackson.databind.JsonNode settings) {
      return s.build(bases, settings);
    }
  }

  /** A plugin jar (module PKG.plugin) providing a workflow W named {@code workflow} and a strategy S named {@code strategy}. */
  private Path plugin(String pkg, String workflow, String strategy, String nameBody) throws Exception {
    String modulePath = System.getProperty("jdk.module.path");
    Assumptions.assumeTrue(modulePath != null && Workflow.class.getModule().isNamed(), "runs on the module path");
    Path src = dir.resolve(pkg + "-src");
    Path classes = Files.createDirectories(dir.resolve(pkg + "-classes"));
    Map<String, String> sources = Map.of(
        "module-info.java", "module " + pkg + ".plugin { requires dev.tandem.api; "
            + "provides dev.tandem.api.inject.Workflow with " + pkg + ".plugin.W; "
            + "provides dev.tandem.api.compose.CompositionStrategy with " + pkg + ".plugin.S; }",
        pkg + "/plugin/W.java", "package " + pkg + ".plugin; public class W implements dev.tandem.api.inject.Workflow {\n"
            + "  public String name() { " + nameBody + " return \"" + workflow + "\"; }\n"
            + "  public String description() { return \"a workflow\"; }\n"
            + "  public String objective() { return \"sft\"; }\n"
            + "  public void run(dev.tandem.api.inject.WorkflowContext c) {}\n}\n",
        pkg + "/plugin/S.java", "package " + pkg + ".plugin; import java.util.*; import com.fasterxml.jackson.databind.*; import com.fasterxml.jackson.databind.node.*;\n"
            + "import dev.tandem.api.compose.*;\n"
            + "public class S implements CompositionStrategy {\n"
            + "  public String name() { return \"" + strategy + "\"; }\n"
            + "  public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) { throw new UnsupportedOperationException(); }\n"
            + "  public Composition build(List<BaseModel> bases, JsonNode settings) { throw new UnsupportedOperationException(); }\n}\n");
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> s : sources.entrySet()) {
      Path f = src.resolve(s.getKey());
      Files.createDirectories(f.getParent());
      files.add(Files.writeString(f, s.getValue()));
    }
    // javac as a process: this module does not read java.compiler
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
        "-d", classes.toString(), "-proc:none", "--module-path", modulePath));
    files.forEach(f -> cmd.add(f.toString()));
    Process javac = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, javac.waitFor(), "compiles: " + log);
    Path jar = dir.resolve(pkg + ".jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, new Manifest());
        Stream<Path> all = Files.walk(classes)) {
      for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
    return jar;
  }
}
