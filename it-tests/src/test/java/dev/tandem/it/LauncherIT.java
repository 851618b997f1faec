package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code ./tandem} launcher keeps stdout for the command's output and stderr free of escape
 * codes and native start-up noise, on the first run (when it builds the project) too.
 *
 * <p>Each test runs a copy of the launcher in a temporary root whose {@code cli/target} links to the
 * jars the reactor just built. A stand-in {@code mvn} on the {@code PATH} plays the first build: it
 * writes the ANSI reset codes real Maven writes even with {@code -B}, so the test needs no nested
 * build.
 */
class LauncherIT {
  private static final String ESC = "\u001b";
  /** A line of Abseil's log format (XLA, MLIR) or its notice about its own initialisation. */
  private static final Pattern ABSL = Pattern.compile("(?m)^([IW]\\d{4} \\d\\d:\\d\\d:|WARNING: All log messages before absl)");

  @TempDir Path root;
  private Path stamp;

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  @BeforeEach
  void layOut() throws IOException {
    Path cliJar = ModulePathJava.jar(ModulePathJava.CLI_JAR);
    Path launcher = cliJar.getParent().getParent().getParent().resolve("tandem");
    assumeTrue(Files.isRegularFile(launcher), "no launcher beside " + cliJar + ": run the it-tests in the reactor");
    Files.copy(launcher, root.resolve("tandem"));
    root.resolve("tandem").toFile().setExecutable(true);
    Path target = Files.createDirectories(root.resolve("cli/target"));
    Files.createSymbolicLink(target.resolve("tandem-cli-0.1.0-SNAPSHOT.jar"), cliJar);
    Files.createSymbolicLink(target.resolve("lib"), cliJar.resolveSibling("lib"));
    stamp = target.resolve(".tandem-built");
    Files.createDirectories(root.resolve("bin"));
  }

  /** A stand-in for Maven: writes ANSI codes on both streams, as Maven 3.8 does in batch mode. */
  private void fakeMaven(int exit) throws IOException {
    Path mvn = root.resolve("bin/mvn");
    Files.writeString(mvn, "#!/bin/sh\n"
        + "printf '\\033[0m\\033[0m[INFO] Scanning for projects...\\n'\n"
        + "printf '\\033[0m\\033[0m[ERROR] stand-in failure\\n' >&2\n"
        + "exit " + exit + "\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Run tandem(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(root.resolve("tandem").toString()));
    cmd.addAll(List.of(args));
    Path out = root.resolve("out.txt");
    Path err = root.resolve("err.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.put("PATH", root.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("OMP_NUM_THREADS", AllEngines.THREADS);
    env.remove("TF_CPP_MIN_LOG_LEVEL"); // the launcher's default is under test
    env.remove("TANDEM_ENGINE");
    env.remove("TANDEM_MODULE_PATH");
    env.remove("TANDEM_JAVA_OPTS");
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("killed after 2 minutes: " + cmd);
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void firstRunBuildsQuietlyAndStdoutIsTheCommandsOutput() throws Exception {
    fakeMaven(0);
    Run r = tandem("engines");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(Cli.run("engines").out(), r.out(), "stdout is exactly the command's output");
    assertEquals("tandem: building the project (first use or sources changed; takes a minute)...\n", r.err(), r.toString());
    assertTrue(Files.isRegularFile(stamp), "the build stamp is written");
    assertTrue(Files.readString(root.resolve("target/tandem-build.log")).contains("[INFO] Scanning"), "the build's output is in the log");

    Run again = tandem("engines");
    assertEquals(r.out(), again.out());
    assertEquals("", again.err(), "a built launcher says nothing on stderr");
  }

  @Test
  void failedBuildPrintsItsErrorsAndTheLogWithoutEscapes() throws Exception {
    fakeMaven(1);
    Run r = tandem("engines");
    assertEquals(1, r.exit(), r.toString());
    assertEquals("", r.out());
    assertFalse(r.err().contains(ESC), r.toString());
    assertTrue(r.err().contains("build failed; the full log is in " + root.resolve("target/tandem-build.log")), r.toString());
    assertTrue(r.err().contains("\n[ERROR] stand-in failure\n"), r.toString());
    assertFalse(Files.exists(stamp));
  }

  /** stderr carries Tandem's own lines only: no escape codes, no native start-up lines (XLA, MLIR, oneDNN). */
  @ParameterizedTest
  @MethodSource("dev.tandem.it.AllEngines#names")
  void enginesStartQuietly(String engine) throws Exception {
    assumeTrue(hasPerl(), "the launcher filters Abseil's lines through perl");
    Files.createFile(stamp);
    Run init = tandem("init", "-o", "model", "--layers", "1", "--n-embd", "32", "--heads", "2", "--context", "32");
    assertEquals(0, init.exit(), init.toString());
    assertTrue(init.out().startsWith("wrote model: ") && init.out().lines().count() == 1, init.toString());
    assertEquals("", init.err());

    Run r = tandem("generate", "--engine", engine, "--threads", AllEngines.THREADS, "--model", "model",
        "--prompt", "one", "--max-new-tokens", "4");
    assertEquals(0, r.exit(), r.toString());
    assertFalse(r.out().isEmpty(), r.toString());
    for (String s : List.of(r.out(), r.err())) {
      assertFalse(s.contains(ESC), r.toString());
      assertFalse(ABSL.matcher(s).find(), r.toString());
    }
    for (String line : r.err().lines().toList()) {
      assertTrue(line.startsWith("engine: " + engine + " ") || line.startsWith("tensorflow: "), "not Tandem's: " + line + "\n" + r);
    }
  }

  private static boolean hasPerl() throws InterruptedException {
    try {
      return new ProcessBuilder("perl", "-e", "1").start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
