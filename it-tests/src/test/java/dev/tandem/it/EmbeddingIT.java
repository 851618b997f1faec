package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The embedding example ({@code examples/embedding}) as its users run it: plain {@code java -p ...
 * -m}, the api, engines and their dependencies on the module path, the native jars on the class
 * path. The engine comes from ServiceLoader, chosen with {@code TANDEM_ENGINE}; the application's
 * metrics sink replaces the framework's {@code TrainingListener} binding.
 */
class EmbeddingIT {
  static final String MAIN = "org.example.embedding/org.example.embedding.Main";
  static final Pattern TRAINED = Pattern.compile("(?m)^trained: (\\d+) steps, loss ([0-9.]+) -> ([0-9.]+); the overriding sink saw (\\d+) steps$");
  static final Pattern SINK_STEP = Pattern.compile("(?m)^sink: step (\\d+) loss ([0-9.]+)$");

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tandem.it.AllEngines#names")
  void trainsAndGeneratesFromTheModulePathOnTheEngineAskedFor(String engine, @TempDir Path dir) throws Exception {
    ModulePathJava.Result run = ModulePathJava.withLib(ModulePathJava.jar("tandem.jar.embedding"))
        .env("TANDEM_ENGINE", engine).directory(dir).run(MAIN, List.of(dir.resolve("work").toString()));

    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.out().contains("\nengine: " + engine + " on "), () -> "ServiceLoader picked another engine\n" + run);
    assertEquals(List.of(), run.stackTraceLines(), run::toString);

    Matcher m = TRAINED.matcher(run.out());
    assertTrue(m.find(), run::toString);
    int steps = Integer.parseInt(m.group(1));
    double first = Double.parseDouble(m.group(2));
    double last = Double.parseDouble(m.group(3));
    assertTrue(last < first - 1.0, () -> "the loss did not go down by 1 nat: " + first + " -> " + last + "\n" + run);

    // the override was used: the application's sink saw every step, in order, with the logged losses
    assertEquals(steps, Integer.parseInt(m.group(4)), run::toString);
    Matcher s = SINK_STEP.matcher(run.out());
    int n = 0;
    double sinkFirst = Double.NaN;
    double sinkLast = Double.NaN;
    while (s.find()) {
      n++;
      assertEquals(n, Integer.parseInt(s.group(1)), run::toString);
      sinkLast = Double.parseDouble(s.group(2));
      sinkFirst = n == 1 ? sinkLast : sinkFirst;
    }
    assertEquals(steps, n, run::toString);
    assertEquals(first, sinkFirst, 1e-4);
    assertEquals(last, sinkLast, 1e-4);

    Matcher c = Pattern.compile("(?m)^completion: (.*)$").matcher(run.out());
    assertTrue(c.find(), run::toString);
    assertFalse(c.group(1).isBlank(), () -> "generation printed no text\n" + run);
    assertTrue(Files.isRegularFile(dir.resolve("work/sft/model.safetensors")), "the trainer wrote the final model");
  }
}
