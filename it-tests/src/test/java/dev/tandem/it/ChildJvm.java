package dev.tandem.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a modular application in a child JVM the way a user does, with plain {@code java -p ... -m
 * module/main}: every jar on the module path except the native-library jars ({@code
 * *-linux-x86_64.jar} and other platform classifiers), which DESIGN.md says must go on the class
 * path (their automatic module names are invalid). Offline DJL, one OpenMP thread, TensorFlow's C++
 * logging at warnings.
 *
 * @param exit the exit code
 * @param out standard output
 * @param err standard error
 */
record ChildJvm(int exit, String out, String err) {
  /** How long a child may run before it is killed and the test fails. */
  static final long TIMEOUT_MINUTES = 5;

  /** Whether {@code jar} holds a platform's native libraries (it belongs on the class path). */
  static boolean isNative(Path jar) {
    String n = jar.getFileName().toString();
    return n.matches(".*-(linux|osx|macosx|win|windows)-(x86_64|aarch64|arm64)(-gpu)?\\.jar");
  }

  /**
   * A module jar and its runtime dependencies: the jars in {@code lib/} beside it (where the
   * build's {@code copy-dependencies} puts them).
   */
  static List<Path> withLib(Path jar) throws IOException {
    List<Path> jars = new ArrayList<>(List.of(jar));
    Path lib = jar.resolveSibling("lib");
    if (!Files.isDirectory(lib)) {
      throw new IOException(lib + ": no such directory (the module's copy-dependencies output)");
    }
    try (Stream<Path> s = Files.list(lib)) {
      s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
    }
    return jars;
  }

  /**
   * The path of a jar passed by the build as a system property (it-tests/pom.xml).
   *
   * @throws IllegalStateException naming the property when it is missing or names no file
   */
  static Path jarProperty(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank() || v.startsWith("${")) {
      throw new IllegalStateException(
          "system property " + name + " is not set: run through Maven (mvn verify -pl it-tests -am), which passes it from it-tests/pom.xml");
    }
    Path p = Path.of(v);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(name + "=" + v + ": no such jar (is the module packaged?)");
    }
    return p;
  }

  /**
   * Runs {@code java -Dai.djl.offline=true -p MODULES [-cp NATIVES] -m mainModule ARGS}.
   *
   * @param jars the application's jars; native ones go on the class path when {@code natives}
   * @param natives false to leave the native-library jars out altogether
   * @param env extra environment variables
   * @param dir the working directory; stdout and stderr are also kept there as files
   */
  static ChildJvm run(List<Path> jars, boolean natives, String mainModule, List<String> args, Map<String, String> env, Path dir)
      throws IOException, InterruptedException {
    List<String> modulePath = new ArrayList<>();
    List<String> classPath = new ArrayList<>();
    for (Path j : jars) {
      if (!isNative(j)) {
        modulePath.add(j.toString());
      } else if (natives) {
        classPath.add(j.toString());
      }
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true", "-Xss4m",
        "-p", String.join(File.pathSeparator, modulePath)));
    if (!classPath.isEmpty()) {
      cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classPath)));
    }
    cmd.addAll(List.of("-m", mainModule));
    cmd.addAll(args);
    Files.createDirectories(dir);
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> e = new HashMap<>(Map.of("OMP_NUM_THREADS", "1", "TF_CPP_MIN_LOG_LEVEL", "2"));
    e.putAll(env);
    pb.environment().remove("TANDEM_ENGINE");
    pb.environment().putAll(e);
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out after " + TIMEOUT_MINUTES + " min: " + String.join(" ", cmd)
          + "\n--- out\n" + Files.readString(out) + "--- err\n" + Files.readString(err));
    }
    return new ChildJvm(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Lines of output that look like a Java stack trace or an exception's name. */
  List<String> stackTraceLines() {
    return Stream.concat(out.lines(), err.lines()).filter(l -> l.contains("Exception") || l.startsWith("\tat ")).toList();
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
