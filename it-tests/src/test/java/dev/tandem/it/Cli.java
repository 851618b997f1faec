package dev.tandem.it;

import dev.tandem.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the tandem CLI in-process and captures its output. */
record Cli(int exit, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(code, out.toString(), err.toString());
  }

  /**
   * Starts the CLI in a separate JVM (to be killed), its output going to {@code log}: the test
   * class path, offline DJL, one OpenMP thread.
   */
  static Process subprocess(java.util.List<String> args, java.nio.file.Path log) throws java.io.IOException {
    return subprocess(args, log, java.util.Map.of());
  }

  /** As {@link #subprocess(java.util.List, java.nio.file.Path)}, with these extra environment variables. */
  static Process subprocess(java.util.List<String> args, java.nio.file.Path log, java.util.Map<String, String> env) throws java.io.IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true", "-cp", cp, "dev.tandem.cli.Main"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", AllEngines.THREADS);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    pb.environment().remove("TANDEM_ENGINE");
    pb.environment().putAll(env);
    pb.redirectOutput(log.toFile());
    return pb.start();
  }

  /**
   * The {@code error: ...} line of standard error, or "" if there is none (the line that commands
   * print first, {@code engine: ...}, is not an error).
   */
  String error() {
    return err.lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("");
  }

  String lastLine() {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
