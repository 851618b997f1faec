package dev.tandem.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a Java program in a child JVM laid out the way the {@code ./tandem} launcher runs the CLI:
 * Tandem's runtime jars on the module path, native-library jars (whose automatic module names are
 * invalid) on the class path, {@code --add-modules ALL-MODULE-PATH} (for {@link #tandem()}), offline
 * DJL, one OpenMP thread.
 * Unlike the in-process {@link Cli}, the child sees only the jars it is given, so a test can prove
 * what a plugin jar adds (or what is missing without it) and that {@code module-info} declarations
 * work.
 *
 * <p>The base is the CLI jar (system property {@value #CLI_JAR}, set by {@code it-tests/pom.xml}
 * from the reactor) and the runtime jars the cli module copies next to it into {@code lib/} when it
 * is packaged. Add a plugin or an application with {@link #modulePath}, then {@link #runCli} or
 * {@link #run} any main module:
 *
 * <pre>{@code
 * ModulePathJava.Result r = ModulePathJava.tandem().modulePath(ModulePathJava.jar("tandem.jar.third-party-objective"))
 *     .runCli("objectives");
 * }</pre>
 */
final class ModulePathJava {
  /** The system property holding the path of the CLI jar. */
  static final String CLI_JAR = "tandem.jar.cli";
  /** The CLI's main module and class, for {@link #run}. */
  static final String CLI_MAIN = "dev.tandem.cli/dev.tandem.cli.Main";

  private final List<Path> modulePath = new ArrayList<>();
  private final List<Path> classPath = new ArrayList<>();
  private final List<String> jvmOptions = new ArrayList<>(List.of("-Dai.djl.offline=true", "-Xss4m"));
  private final Map<String, String> env = new LinkedHashMap<>(Map.of("OMP_NUM_THREADS", AllEngines.THREADS, "TF_CPP_MIN_LOG_LEVEL", "2"));
  private Duration timeout = Duration.ofMinutes(5);
  private Path directory;
  private boolean allModules;

  private ModulePathJava() {}

  /** Tandem's runtime: the CLI jar and the jars in the {@code lib/} beside it. */
  static ModulePathJava tandem() throws IOException {
    ModulePathJava java = withLib(jar(CLI_JAR));
    java.allModules = true; // as ./tandem does
    return java;
  }

  /**
   * An application jar and its runtime dependencies, the jars in the {@code lib/} beside it (where
   * its build's {@code copy-dependencies} puts them): native-library jars on the class path, the
   * rest on the module path. Run with plain {@code java -p ... -m}: the modules resolved are those
   * the main module requires plus the providers of the services they use.
   */
  static ModulePathJava withLib(Path jar) throws IOException {
    Path lib = jar.resolveSibling("lib");
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(lib + " is missing: the module's package phase writes it; run the it-tests in the reactor (mvn verify -pl it-tests -am)");
    }
    ModulePathJava java = new ModulePathJava();
    java.modulePath.add(jar);
    try (Stream<Path> jars = Files.list(lib)) {
      for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        (isNative(j) ? java.classPath : java.modulePath).add(j);
      }
    }
    return java;
  }

  /** The jar named by a system property (set in {@code it-tests/pom.xml}); a clear error if it is not there. */
  static Path jar(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank() || v.startsWith("${")) {
      throw new IllegalStateException("system property " + property + " is not set: run the it-tests through Maven (it-tests/pom.xml sets it)");
    }
    Path p = Path.of(v);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(property + "=" + v + ": no such jar (was the module packaged?)");
    }
    return p;
  }

  /** Native-library jars, as the launcher classifies them: their automatic module names are invalid. */
  static boolean isNative(Path jar) {
    String n = jar.getFileName().toString();
    return n.matches(".*-(linux|osx|macosx|win|windows)-(x86_64|aarch64|arm64)(-gpu)?\\.jar");
  }

  /** Leaves the native-library jars out altogether (to see how the engines report their absence). */
  ModulePathJava withoutNatives() {
    classPath.removeIf(ModulePathJava::isNative);
    return this;
  }

  /** The child's working directory (default: this JVM's). */
  ModulePathJava directory(Path dir) {
    directory = dir;
    return this;
  }

  /** Adds jars (or directories of jars) to the module path. */
  ModulePathJava modulePath(Path... entries) {
    modulePath.addAll(List.of(entries));
    return this;
  }

  /**
   * Sets the plugin path as the {@code ./tandem} launcher passes it, {@code TANDEM_MODULE_PATH}: the
   * CLI loads each jar into a module layer of its own (not the boot module path).
   */
  ModulePathJava pluginPath(Path... jars) {
    env.put("TANDEM_MODULE_PATH", join(List.of(jars)));
    return this;
  }

  /** Adds jars to the class path. */
  ModulePathJava classPath(Path... entries) {
    classPath.addAll(List.of(entries));
    return this;
  }

  /** Adds JVM options, e.g. {@code -Xmx1g}. */
  ModulePathJava jvmOptions(String... options) {
    jvmOptions.addAll(List.of(options));
    return this;
  }

  /** Sets an environment variable of the child. */
  ModulePathJava env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** How long the child may run before it is killed and the test fails (default 5 minutes). */
  ModulePathJava timeout(Duration d) {
    timeout = d;
    return this;
  }

  /** Runs the tandem CLI with {@code args} from the module path. */
  Result runCli(String... args) throws IOException, InterruptedException {
    return run(CLI_MAIN, List.of(args));
  }

  /** Runs {@code -m mainModuleAndClass} (e.g. {@code my.app/my.app.Main}) with {@code args}. */
  Result run(String mainModuleAndClass, List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable());
    cmd.addAll(jvmOptions);
    cmd.add("-p");
    cmd.add(join(modulePath));
    if (!classPath.isEmpty()) {
      cmd.add("-cp");
      cmd.add(join(classPath));
    }
    if (allModules) {
      cmd.add("--add-modules");
      cmd.add("ALL-MODULE-PATH");
    }
    cmd.add("-m");
    cmd.add(mainModuleAndClass);
    cmd.addAll(args);
    return exec(cmd);
  }

  /**
   * Runs {@code mainClass} with every jar on the class path instead (the module path's too), as an
   * application without modules would: there, {@code META-INF/services} registers providers.
   */
  Result runOnClassPath(String mainClass, List<String> args) throws IOException, InterruptedException {
    List<Path> all = new ArrayList<>(modulePath);
    all.addAll(classPath);
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(join(all));
    cmd.add(mainClass);
    cmd.addAll(args);
    return exec(cmd);
  }

  private Result exec(List<String> cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("child-out", ".txt");
    Path err = Files.createTempFile("child-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      if (directory != null) {
        pb.directory(Files.createDirectories(directory).toFile());
      }
      pb.environment().remove("TANDEM_ENGINE"); // the child picks its engine only as the test says
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("killed after " + timeout + ": " + String.join(" ", cmd) + "\n--- out\n" + read(out) + "--- err\n" + read(err));
      }
      return new Result(p.exitValue(), read(out), read(err), List.copyOf(cmd));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String join(List<Path> paths) {
    return String.join(java.io.File.pathSeparator, paths.stream().map(Path::toString).toList());
  }

  /** What a child printed and how it ended. */
  record Result(int exit, String out, String err, List<String> command) {
    /** Lines of output that look like a Java stack trace or an exception's name. */
    List<String> stackTraceLines() {
      return Stream.concat(out.lines(), err.lines()).filter(l -> l.contains("Exception") || l.startsWith("\tat ")).toList();
    }

    /** The last line of standard output. */
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }

    @Override
    public String toString() {
      return "exit " + exit + " of " + String.join(" ", command) + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
