package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem engines} and engine errors as a user meets them, running the CLI from the module
 * path in a child JVM: without the native-library jars every engine is listed as unavailable with
 * the artifact to add, and commands that need an engine fail with one {@code error:} line; with
 * them, the devices column is filled and asking for a GPU the engine does not see is one line too.
 * Never a stack trace.
 */
class EnginesModulePathIT {
  /** The engines the CLI ships and the native artifact each names when it is missing. */
  static final Map<String, String> NATIVE_ARTIFACT =
      Map.of("djl", "ai.djl.pytorch:pytorch-native-cpu", "tensorflow", "org.tensorflow:tensorflow-core-native");

  @TempDir Path dir;

  static ModulePathJava.Result cli(boolean natives, Path dir, String... args) throws Exception {
    ModulePathJava java = ModulePathJava.tandem().directory(dir);
    return (natives ? java : java.withoutNatives()).runCli(args);
  }

  /** {@code engines} output: name to {status, devices}. */
  static Map<String, String[]> table(ModulePathJava.Result run) {
    Map<String, String[]> t = new LinkedHashMap<>();
    for (String line : run.out().lines().filter(l -> !l.isBlank()).toList()) {
      String[] f = line.split("\t", -1);
      assertEquals(3, f.length, () -> "not NAME<TAB>STATUS<TAB>DEVICES: '" + line + "'\n" + run);
      t.put(f[0], new String[] {f[1], f[2]});
    }
    return t;
  }

  @Test
  void withoutTheNativeJarsEachEngineIsUnavailableNamingTheArtifactToAdd() throws Exception {
    ModulePathJava.Result run = cli(false, dir, "engines");

    assertEquals(1, run.exit(), () -> "exit 1: no engine can run here\n" + run);
    Map<String, String[]> t = table(run);
    assertEquals(NATIVE_ARTIFACT.keySet(), t.keySet(), run::toString);
    NATIVE_ARTIFACT.forEach((name, artifact) -> {
      String status = t.get(name)[0];
      assertTrue(status.startsWith("unavailable: ") && status.contains(artifact), () -> name + ": " + status);
      assertEquals("", t.get(name)[1], () -> name + " lists devices while unavailable");
    });
    assertEquals("", run.err(), "nothing on stderr: no native library was loaded, nothing was logged");
    assertEquals(List.of(), run.stackTraceLines(), run::toString);
  }

  @Test
  void aCommandOnAnUnavailableEngineFailsWithOneErrorLineAndWritesNothing() throws Exception {
    ModulePathJava.Result init = cli(false, dir.resolve("init"), "init", "--output", dir.resolve("m").toString(),
        "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "256");
    assertEquals(0, init.exit(), init::toString);
    Path data = SampleFiles.wordnetTrain(dir, 8);
    Path output = dir.resolve("run");

    ModulePathJava.Result named = cli(false, dir.resolve("named"), "sft", "--engine", "djl", "--model", dir.resolve("m").toString(),
        "--data", data.toString(), "--output", output.toString(), "--max-steps", "1", "--threads", AllEngines.THREADS);
    assertEquals(1, named.exit(), named::toString);
    assertEquals(1, named.err().strip().lines().count(), named::toString);
    assertTrue(named.err().startsWith("error: engine 'djl' is unavailable: libtorch is missing: put ai.djl.pytorch:pytorch-native-cpu"),
        named::toString);

    ModulePathJava.Result any = cli(false, dir.resolve("any"), "sft", "--model", dir.resolve("m").toString(),
        "--data", data.toString(), "--output", output.toString(), "--max-steps", "1", "--threads", AllEngines.THREADS);
    assertEquals(1, any.exit(), any::toString);
    assertEquals(1, any.err().strip().lines().count(), any::toString);
    assertTrue(any.err().startsWith("error: no engine is available (djl: libtorch is missing"), any::toString);
    assertTrue(any.err().contains("; tensorflow: TensorFlow's native library is missing"), any::toString);

    assertEquals(List.of(), named.stackTraceLines(), named::toString);
    assertEquals(List.of(), any.stackTraceLines(), any::toString);
    assertFalse(Files.exists(output), "a failed start leaves no run directory");
  }

  @Test
  void withTheNativeJarsEnginesListsDevicesAndAMissingGpuIsOneErrorLine() throws Exception {
    ModulePathJava.Result run = cli(true, dir.resolve("engines"), "engines");
    assertEquals(0, run.exit(), run::toString);
    assertEquals(List.of(), run.stackTraceLines(), run::toString);
    Map<String, String[]> t = table(run);
    assertEquals(NATIVE_ARTIFACT.keySet(), t.keySet(), run::toString);

    ModulePathJava.Result init = cli(true, dir.resolve("init"), "init", "--output", dir.resolve("m").toString(),
        "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "32");
    assertEquals(0, init.exit(), init::toString);
    for (var e : t.entrySet()) {
      String name = e.getKey();
      List<String> devices = List.of(e.getValue()[1].split(","));
      assertEquals("available", e.getValue()[0], run::toString);
      assertTrue(devices.contains("cpu"), run::toString);
      if (devices.stream().anyMatch(d -> d.startsWith("gpu"))) {
        continue; // a GPU machine: --device gpu is allowed there
      }
      ModulePathJava.Result gpu = cli(true, dir.resolve("gpu-" + name), "generate", "--engine", name, "--device", "gpu", "--threads", AllEngines.THREADS,
          "--model", dir.resolve("m").toString(), "--prompt", "hi", "--max-new-tokens", "1");
      assertEquals(1, gpu.exit(), gpu::toString);
      assertEquals(List.of(), gpu.stackTraceLines(), gpu::toString);
      List<String> errors = gpu.err().lines().filter(l -> l.startsWith("error: ")).toList();
      assertEquals(1, errors.size(), gpu::toString);
      assertTrue(errors.get(0).contains("gpu") && errors.get(0).contains("no") && errors.get(0).contains("GPU"), gpu::toString);
      assertEquals("", gpu.out(), gpu::toString);
    }
  }
}
