package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.spin.demo.SyntheticTask;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * A broken plugin breaks only itself. Plugin jars broken in each way a real one breaks are built
 * here (compiled with the system Java compiler) and put on the plugin path ({@code
 * TANDEM_MODULE_PATH}) beside the good IPO plugin:
 *
 * <ul>
 *   <li>{@code old-api.jar}: built against another tandem-api, whose {@code Objective} had no {@code
 *       name()} (a stub api module with {@code id()} instead): {@code name()} is an {@code
 *       AbstractMethodError}; its manifest says {@code Tandem-Api-Version: 0.0.1};
 *   <li>{@code java25.jar}: every class file, module-info included, of version 69 (Java 25), which
 *       on the boot module path stops the JVM before any Tandem code runs;
 *   <li>{@code throwing.jar}: a provider whose constructor throws;
 *   <li>{@code dpo.jar}: an objective named {@code dpo}, Tandem's own; {@code twin-b.jar}: one named
 *       like {@code twin-a.jar}'s (which, first on the path, loads).
 * </ul>
 *
 * Each is skipped with one warning line on stderr naming the jar and the reason, {@code tandem
 * objectives} marks it broken, and {@code objectives}, {@code sft} and {@code dpo --objective ipo}
 * all exit 0.
 */
class BrokenPluginsIT {
  @TempDir static Path dir;
  static Path ipo;
  static Map<Path, String> broken = new LinkedHashMap<>(); // jar -> what its warning says
  static Path twinA;
  static List<Path> path = new ArrayList<>();
  static Path model;
  static Path train;
  static Path pairs;

  @BeforeAll
  static void buildJars() throws Exception {
    ipo = ModulePathJava.jar(ThirdPartyObjectiveIT.IPO_JAR);
    Path apiJar = ModulePathJava.jar("tandem.jar.api");
    String apiVersion = ModuleFinder.of(apiJar).findAll().iterator().next().descriptor().rawVersion().orElseThrow();
    List<Path> tandem = tandemModules();

    // another api version: compiled against an old api whose Objective had id() instead of name()
    Path oldApi = compile(dir.resolve("old-api-stub"), List.of(), Map.of(
        "module-info.java", "module dev.tandem.api { exports dev.tandem.api.objective; }",
        "dev/tandem/api/objective/Objective.java", "package dev.tandem.api.objective; public interface Objective { String id(); }"));
    Path old = jar("old-api.jar", compile(dir.resolve("old-api"), List.of(oldApi), Map.of(
        "module-info.java", "module old.plugin { requires dev.tandem.api; provides dev.tandem.api.objective.Objective with old.plugin.OldObjective; }",
        "old/plugin/OldObjective.java", "package old.plugin; public class OldObjective implements dev.tandem.api.objective.Objective { public String id() { return \"old\"; } }")),
        "0.0.1", 0);
    broken.put(old, "built against tandem-api 0.0.1, this is " + apiVersion + ": AbstractMethodError: Receiver class old.plugin.OldObjective does not define or inherit an implementation of the resolved method 'abstract java.lang.String name()' of interface dev.tandem.api.objective.Objective.");

    // a newer class-file version
    Path future = jar("java25.jar", objectivePlugin("future", "Future", "future", ""), apiVersion, 69);
    broken.put(future, "class file version 69 (Java 25) is newer than this Java " + Runtime.version().feature());

    // a throwing constructor
    Path throwing = jar("throwing.jar", objectivePlugin("throwing", "Throwing", "throwing", "throw new IllegalStateException(\"no licence key in ~/.throwing\");"), apiVersion, 0);
    broken.put(throwing, "IllegalStateException: no licence key in ~/.throwing (in the constructor of throwing.plugin.Throwing)");

    // duplicate names: Tandem's own dpo, and a name an earlier plugin on the path took
    Path dpo = jar("dpo.jar", objectivePlugin("dpo", "AnotherDpo", "dpo", ""), apiVersion, 0);
    broken.put(dpo, "objective 'dpo' (dpo.plugin.AnotherDpo) is already provided by dev.tandem.spin.DpoObjective (module dev.tandem.spin)");
    twinA = jar("twin-a.jar", objectivePlugin("twina", "Twin", "twin", ""), apiVersion, 0);
    Path twinB = jar("twin-b.jar", objectivePlugin("twinb", "Twin", "twin", ""), apiVersion, 0);
    broken.put(twinB, "objective 'twin' (twinb.plugin.Twin) is already provided by twina.plugin.Twin from plugin " + twinA);

    path.addAll(List.of(old, ipo, future, throwing, dpo, twinA, twinB));

    model = dir.resolve("model");
    Cli init = Cli.run("init", "--output", model.toString(), "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32", "--seed", "5");
    assertEquals(0, init.exit(), init.toString());
    train = dir.resolve("train.jsonl");
    SyntheticTask.ADDITION.generate(4, 16, 4).write(train, dir.resolve("eval.jsonl"));
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      lines.add(json.writeValueAsString(Map.of("prompt", i + "+1=", "chosen", Integer.toString(i + 1), "rejected", Integer.toString(i + 2))));
    }
    pairs = Files.write(dir.resolve("pairs.jsonl"), lines);
  }

  @Test
  void objectivesListsTheGoodOnesAndMarksEachBrokenJar() throws Exception {
    ModulePathJava.Result r = tandem().runCli("objectives");
    System.out.println(r);
    assertEquals(0, r.exit(), r.toString());
    assertWarnings(r);
    List<String> names = r.out().lines().filter(l -> !l.startsWith(" ") && !l.contains("\tbroken: ")).map(l -> l.split("\t")[0]).toList();
    assertEquals(List.of("dpo", "ipo", "sft", "simpo", "spin", "twin"), names, r.toString());
    assertTrue(r.out().contains("twin\tsft\ttwina.plugin.Twin\tmodule twina.plugin ("), r.out());
    assertTrue(r.out().contains("dpo\tdpo\tdev.tandem.spin.DpoObjective\t"), r.out());
    for (Map.Entry<Path, String> b : broken.entrySet()) {
      String line = b.getKey().getFileName() + "\t-\t-\tbroken: " + b.getValue() + " (" + b.getKey() + ")";
      assertTrue(r.out().lines().anyMatch(line::equals), "listed: " + line + "\n" + r);
    }
  }

  @Test
  void sftAndAGoodPluginsObjectiveTrainBesideThem() throws Exception {
    String engine = AllEngines.preferDjl().findFirst().orElseThrow();
    ModulePathJava.Result sft = tandem().runCli("sft", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", train.toString(),
        "--output", dir.resolve("sft").toString(), "--max-steps", "2", "--batch-size", "4");
    assertEquals(0, sft.exit(), sft.toString());
    assertWarnings(sft);
    assertTrue(Files.isRegularFile(dir.resolve("sft").resolve("metrics.jsonl")), sft.toString());

    ModulePathJava.Result dpo = tandem().runCli("dpo", "--engine", engine, "--threads", AllEngines.THREADS, "--model", model.toString(), "--data", pairs.toString(),
        "--output", dir.resolve("ipo").toString(), "--objective", "ipo", "--option", "beta=0.5", "--max-steps", "2", "--batch-size", "4");
    assertEquals(0, dpo.exit(), dpo.toString());
    assertWarnings(dpo);
    assertTrue(dpo.out().contains("ipo(beta 0.5)"), dpo.toString());
  }

  /**
   * Why plugins get layers of their own: on the boot module path a jar built for a newer Java stops
   * the JVM before any Tandem code runs. The other kinds of breakage are caught there too, for an
   * application that puts plugin jars on its own module path.
   */
  @Test
  void onTheBootModulePathANewerJavasJarStopsTheJvmAndTheOthersBreakOnlyThemselves() throws Exception {
    Path future = path.get(2);
    ModulePathJava.Result stopped = ModulePathJava.tandem().modulePath(future).runCli("objectives");
    assertTrue(stopped.exit() != 0 && (stopped.out() + stopped.err()).contains("Error occurred during initialization of boot layer"), stopped.toString());

    Path old = path.get(0);
    Path throwing = path.get(3);
    ModulePathJava.Result r = ModulePathJava.tandem().modulePath(old, throwing, ipo).runCli("objectives");
    assertEquals(0, r.exit(), r.toString());
    List<String> warnings = r.err().lines().filter(l -> l.startsWith("warning: plugin ")).sorted().toList();
    assertEquals(Stream.of(old, throwing).map(j -> "warning: plugin " + j + " skipped: " + broken.get(j)).sorted().toList(), warnings, r.toString());
    assertTrue(r.out().contains("ipo\tdpo\torg.example.tandem.ipo.IpoObjective\t"), r.toString());
  }

  private static ModulePathJava tandem() throws IOException {
    return ModulePathJava.tandem().pluginPath(path.toArray(Path[]::new));
  }

  /** One warning per broken jar, in path order, each naming the jar and the reason, and no stack trace. */
  private static void assertWarnings(ModulePathJava.Result r) {
    List<String> expected = broken.entrySet().stream().map(b -> "warning: plugin " + b.getKey() + " skipped: " + b.getValue()).toList();
    List<String> warnings = r.err().lines().filter(l -> l.startsWith("warning: plugin ")).toList();
    assertEquals(expected.stream().sorted().toList(), warnings.stream().sorted().toList(), r.toString());
    assertEquals(List.of(), Stream.concat(r.out().lines(), r.err().lines()).filter(l -> l.startsWith("\tat ") || l.startsWith("Exception in")).toList(), r.toString());
  }

  /** The jars javac needs to compile against the real api: Tandem's runtime, native-library jars aside. */
  static List<Path> tandemModules() throws IOException {
    Path lib = ModulePathJava.jar(ModulePathJava.CLI_JAR).resolveSibling("lib");
    try (Stream<Path> jars = Files.list(lib)) {
      return jars.filter(p -> p.toString().endsWith(".jar") && !ModulePathJava.isNative(p)).sorted().toList();
    }
  }

  /** Compiles an objective module {@code PKG.plugin} with class {@code CLS} named {@code name}, its constructor running {@code ctor}. */
  private static Path objectivePlugin(String pkg, String cls, String name, String ctor) throws IOException {
    String layout = name.equals("dpo") ? "dev.tandem.api.objective.InputLayout.PREFERENCE_PAIRS" : "dev.tandem.api.objective.InputLayout.SEQUENCES";
    String source = "package " + pkg + ".plugin;\n"
        + "import dev.tandem.api.engine.*; import dev.tandem.api.model.CausalLM; import dev.tandem.api.tensor.*; import java.util.List;\n"
        + "public class " + cls + " implements dev.tandem.api.objective.Objective {\n"
        + "  public " + cls + "() { " + ctor + " }\n"
        + "  public String name() { return \"" + name + "\"; }\n"
        + "  public dev.tandem.api.objective.InputLayout inputLayout() { return " + layout + "; }\n"
        + "  public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) { throw new UnsupportedOperationException(); }\n"
        + "}\n";
    return compile(dir.resolve(pkg), tandemModules(), Map.of(
        "module-info.java", "module " + pkg + ".plugin { requires dev.tandem.api; provides dev.tandem.api.objective.Objective with " + pkg + ".plugin." + cls + "; }",
        pkg + "/plugin/" + cls + ".java", source));
  }

  /** Compiles {@code sources} (path -> text) into {@code dir}/classes against {@code modulePath}; returns the classes. */
  static Path compile(Path dir, List<Path> modulePath, Map<String, String> sources) throws IOException {
    Path src = dir.resolve("src");
    Path classes = Files.createDirectories(dir.resolve("classes"));
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> s : sources.entrySet()) {
      Path f = src.resolve(s.getKey());
      Files.createDirectories(f.getParent());
      files.add(Files.writeString(f, s.getValue()));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      List<String> options = new ArrayList<>(List.of("-d", classes.toString(), "-proc:none"));
      if (!modulePath.isEmpty()) {
        options.addAll(List.of("--module-path", String.join(java.io.File.pathSeparator, modulePath.stream().map(Path::toString).toList())));
      }
      boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
      assertTrue(ok, "compiles: " + diagnostics.getDiagnostics());
    }
    return classes;
  }

  /** Jars {@code classes} with a manifest naming the api version; class files' major version set to {@code major} unless 0. */
  private static Path jar(String name, Path classes, String apiVersion, int major) throws IOException {
    Path jar = dir.resolve(name);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Tandem-Api-Version", apiVersion);
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        byte[] bytes = Files.readAllBytes(f);
        if (major != 0 && f.toString().endsWith(".class")) {
          bytes[6] = (byte) (major >> 8);
          bytes[7] = (byte) major;
        }
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(bytes);
        j.closeEntry();
      }
    }
    return jar;
  }
}
