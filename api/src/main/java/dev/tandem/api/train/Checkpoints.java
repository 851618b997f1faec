package dev.tandem.api.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code checkpoint-<step>/} directories: the model files, {@code optimizer.safetensors} and
 * {@code trainer_state.json}. Each is written into {@code checkpoint-<step>.tmp} and renamed when
 * complete, so a directory named {@code checkpoint-<step>} is always whole.
 */
public final class Checkpoints {
  /** The trainer state file name. */
  public static final String STATE = "trainer_state.json";
  /** The optimizer state file name. */
  public static final String OPTIMIZER = "optimizer.safetensors";

  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Checkpoints() {}

  /** Complete checkpoints in {@code output}, oldest first. */
  public static List<Path> list(Path output) throws IOException {
    if (!Files.isDirectory(output)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(output)) {
      s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(STATE)))
          .forEach(out::add);
    }
    out.sort(Comparator.comparingLong(Checkpoints::step));
    return out;
  }

  /** The newest complete checkpoint, if any. */
  public static Optional<Path> latest(Path output) throws IOException {
    List<Path> all = list(output);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The step in a checkpoint directory's name. */
  public static long step(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(dir + " is not a checkpoint-<step> directory");
    }
    return Long.parseLong(m.group(1));
  }

  /** Writes a checkpoint atomically and returns its directory. */
  public static Path write(
      Path output,
      TrainerState state,
      Map<String, HostTensor> weights,
      Map<String, HostTensor> optimizerState,
      ModelWriter model)
      throws IOException {
    Path dir = output.resolve("checkpoint-" + state.globalStep());
    Path tmp = output.resolve("checkpoint-" + state.globalStep() + ".tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    model.write(tmp, weights);
    Safetensors.write(tmp.resolve(OPTIMIZER), optimizerState, Map.of("format", "tandem-optimizer"));
    writeState(tmp.resolve(STATE), state);
    deleteTree(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    return dir;
  }

  /** Writes {@code trainer_state.json}. */
  public static void writeState(Path file, TrainerState state) throws IOException {
    JSON.writeValue(file.toFile(), state);
  }

  /** Reads {@code trainer_state.json}, naming the file in any error. */
  public static TrainerState readState(Path dir) throws IOException {
    Path f = dir.resolve(STATE);
    try {
      return JSON.readValue(f.toFile(), TrainerState.class);
    } catch (IOException e) {
      throw new IOException(f + ": cannot read trainer state: " + e.getMessage(), e);
    }
  }

  /** Reads {@code optimizer.safetensors}. */
  public static Map<String, HostTensor> readOptimizer(Path dir) throws IOException {
    return Safetensors.read(dir.resolve(OPTIMIZER));
  }

  /** Deletes all but the newest {@code keep} checkpoints (keep 0: delete none). */
  public static void prune(Path output, int keep) throws IOException {
    if (keep <= 0) {
      return;
    }
    List<Path> all = list(output);
    for (int i = 0; i < all.size() - keep; i++) {
      deleteTree(all.get(i));
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
