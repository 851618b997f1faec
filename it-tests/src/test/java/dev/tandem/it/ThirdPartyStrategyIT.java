package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.spin.demo.SyntheticTask;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's composition strategy, compiled here into a jar of its own ({@code tiny-lora}: LoRA
 * with its own options {@code width}, the rank, and {@code scale}, alpha / rank) and put on the
 * module path beside Tandem's (as an application or launcher does): {@code tandem compose --strategy
 * tiny-lora} sets its options from {@code --option NAME=VALUE} and {@code --NAME VALUE} with no CLI
 * change (they arrive in {@code composition.json}), {@code tandem strategies} lists it with its
 * options, and an option it does not declare is an error listing those it does. The CLI runs in a
 * child JVM laid out as the {@code ./tandem} launcher lays it out. (The plugin path, {@code
 * TANDEM_MODULE_PATH}, loads objectives and Guice plugins from a jar's layer but not yet
 * strategies: see {@code PluginLayers}.)
 */
class ThirdPartyStrategyIT {
  static final String SOURCE = """
      package org.example.tinylora;

      import com.fasterxml.jackson.databind.JsonNode;
      import com.fasterxml.jackson.databind.node.ObjectNode;
      import dev.tandem.api.compose.BaseModel;
      import dev.tandem.api.compose.Composition;
      import dev.tandem.api.compose.CompositionStrategy;
      import dev.tandem.api.option.OptionSpec;
      import dev.tandem.api.option.OptionValues;
      import dev.tandem.calm.LoraStrategy;
      import java.util.List;
      import java.util.Map;

      /** LoRA under another name, with options of its own. */
      public final class TinyLora implements CompositionStrategy {
        private final LoraStrategy lora = new LoraStrategy();

        public String name() { return "tiny-lora"; }

        public List<OptionSpec> options() {
          return List.of(
              new OptionSpec("width", Integer.class, "1", "the adapters' rank"),
              new OptionSpec("scale", Float.class, "1", "alpha / rank"));
        }

        public ObjectNode settings(List<BaseModel> bases, Map<String, String> options) {
          OptionValues v = OptionValues.parse("strategy 'tiny-lora'", options(), options);
          int width = v.getInt("width");
          ObjectNode s = lora.settings(bases, Map.of("rank", Integer.toString(width), "alpha", Float.toString(v.getFloat("scale") * width)));
          s.put("width", width);
          return s;
        }

        public Composition build(List<BaseModel> bases, JsonNode settings) { return lora.build(bases, settings); }
      }
      """;

  @TempDir static Path dir;
  static Path jar;
  static Path model;
  static Path train;
  static String engine;

  @BeforeAll
  static void init() throws Exception {
    model = dir.resolve("model");
    Cli c = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32", "--seed", "3");
    assertEquals(0, c.exit(), c.toString());
    train = dir.resolve("train.jsonl");
    SyntheticTask.ADDITION.generate(4, 16, 4).write(train, dir.resolve("eval.jsonl"));
    engine = AllEngines.names().findFirst().orElseThrow();
    jar = buildJar();
  }

  @Test
  void optionsFromTheCommandLineReachTheStrategy() throws Exception {
    Path out = dir.resolve("tiny");
    ModulePathJava.Result r = ModulePathJava.tandem().modulePath(jar).runCli("compose", "--engine", engine, "--threads", AllEngines.THREADS,
        "--strategy", "tiny-lora", "--anchor", model.toString(), "--data", train.toString(), "--output", out.toString(), "--max-steps", "1",
        "--batch-size", "4", "--option", "width=3", "--scale", "2");
    assertEquals(0, r.exit(), r.toString());
    JsonNode composition = new ObjectMapper().readTree(out.resolve("composition.json").toFile());
    assertEquals("tiny-lora", composition.get("strategy").asText(), composition.toString());
    JsonNode settings = composition.get("settings");
    assertEquals(3, settings.get("width").intValue(), settings.toString());
    assertEquals(3, settings.get("rank").intValue(), settings.toString());
    assertEquals(6.0, settings.get("alpha").doubleValue(), 1e-6, settings.toString());

    ModulePathJava.Result unknown = ModulePathJava.tandem().modulePath(jar).runCli("compose", "--engine", engine, "--strategy", "tiny-lora",
        "--anchor", model.toString(), "--data", train.toString(), "--output", dir.resolve("unknown").toString(), "--depth", "2");
    assertEquals(1, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("error: compose: unknown option '--depth': not a flag of tandem compose nor an option of strategy 'tiny-lora' (its options: width, scale;"),
        unknown.toString());
    assertTrue(!Files.exists(dir.resolve("unknown")), "nothing written");
  }

  @Test
  void strategiesListsItWithItsOptions() throws Exception {
    ModulePathJava.Result r = ModulePathJava.tandem().modulePath(jar).runCli("strategies");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(List.of("calm", "lora", "tiny-lora"), r.out().strip().lines().filter(l -> !l.startsWith(" ")).map(l -> l.split("\t")[0]).toList(), r.out());
    assertTrue(r.out().contains("tiny-lora\torg.example.tinylora.TinyLora\tmodule org.example.tinylora ("), r.out());
    assertTrue(r.out().contains("\n  width (int, default 1): the adapters' rank\n  scale (float, default 1): alpha / rank\n"), r.out());
    assertTrue(r.out().contains("\n  rank (int, default 8): the adapters' rank r\n"), r.out());
  }

  /** Compiles {@link #SOURCE} as module {@code org.example.tinylora} against Tandem's runtime and jars it. */
  private static Path buildJar() throws IOException {
    Path src = dir.resolve("src");
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path info = Files.createDirectories(src).resolve("module-info.java");
    Files.writeString(info, "module org.example.tinylora { requires dev.tandem.api; requires dev.tandem.calm;"
        + " provides dev.tandem.api.compose.CompositionStrategy with org.example.tinylora.TinyLora; }");
    Path cls = Files.createDirectories(src.resolve("org/example/tinylora")).resolve("TinyLora.java");
    Files.writeString(cls, SOURCE);
    List<Path> modules;
    try (Stream<Path> jars = Files.list(ModulePathJava.jar(ModulePathJava.CLI_JAR).resolveSibling("lib"))) {
      modules = jars.filter(p -> p.toString().endsWith(".jar") && !ModulePathJava.isNative(p)).sorted().toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      List<String> options = new ArrayList<>(List.of("-d", classes.toString(), "-proc:none", "--module-path",
          String.join(java.io.File.pathSeparator, modules.stream().map(Path::toString).toList())));
      boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(List.of(info, cls))).call();
      assertTrue(ok, "compiles: " + diagnostics.getDiagnostics());
    }
    Path jar = dir.resolve("tiny-lora.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest); Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
    return jar;
  }
}
