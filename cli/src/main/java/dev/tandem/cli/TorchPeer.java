package dev.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch peer, {@code benchmarks/torch_peer.py}, run by {@code /usr/bin/python3} as a subprocess
 * that answers one measurement at a time ({@code --serve}), so that {@code tandem bench --peer} can take
 * turns with it. Only for benchmarks.
 */
final class TorchPeer implements AutoCloseable {
  static final String PYTHON = "/usr/bin/python3";

  private final Process process;
  private final BufferedReader out;
  private final PrintWriter in;
  private final ObjectMapper json = new ObjectMapper();

  private TorchPeer(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  /**
   * The peer script: {@code benchmarks/torch_peer.py} under the working directory or under a folder above
   * the CLI's jar (the repository), or null.
   */
  static Path script() {
    List<Path> roots = new ArrayList<>();
    roots.add(Path.of("").toAbsolutePath());
    try {
      Path here = Path.of(TorchPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = here; p != null; p = p.getParent()) {
        roots.add(p);
      }
    } catch (Exception e) {
      // no code source: the working directory only
    }
    for (Path r : roots) {
      Path s = r.resolve("benchmarks").resolve("torch_peer.py");
      if (Files.isRegularFile(s)) {
        return s;
      }
    }
    return null;
  }

  /** Why the peer cannot run here, or null when it can. */
  static String unavailable(Path script) {
    if (script == null) {
      return "benchmarks/torch_peer.py not found";
    }
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return PYTHON + " is absent";
    }
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return PYTHON + " has no torch (apt-get install -y python3-torch libopenblas0-pthread)";
      }
      return null;
    } catch (IOException | InterruptedException e) {
      return PYTHON + " does not start: " + e.getMessage();
    }
  }

  private boolean hugePages;
  private String tunables = "";

  /**
   * {@code tunables} without the entries the launcher appended ({@code added}, as it lists them in
   * {@code TANDEM_GLIBC_ADDED}): each is removed once, its last occurrence, so the user's own
   * settings stay even where they repeat one.
   */
  static String without(String tunables, String added) {
    if (tunables == null) {
      return "";
    }
    java.util.List<String> kept = new java.util.ArrayList<>();
    for (String t : tunables.split(":")) {
      if (!t.isEmpty()) {
        kept.add(t);
      }
    }
    for (String a : added.split(":")) {
      int i = kept.lastIndexOf(a);
      if (!a.isEmpty() && i >= 0) {
        kept.remove(i);
      }
    }
    return String.join(":", kept);
  }

  /** The peer's {@code GLIBC_TUNABLES} (empty where unset). */
  String tunables() {
    return tunables;
  }

  /** Whether the peer's glibc asks for transparent huge pages. */
  boolean hugePages() {
    return hugePages;
  }

  /** Starts the peer for a shape; returns once it has built its model. */
  static TorchPeer start(Path script, String shape, int layers, int threads, int batch, int seq, int steps, int newTokens)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(PYTHON, script.toString(), "--serve", "--shape", shape, "--layers", String.valueOf(layers),
        "--threads", String.valueOf(threads), "--batch", String.valueOf(batch), "--seq", String.valueOf(seq),
        "--steps", String.valueOf(steps), "--new-tokens", String.valueOf(newTokens));
    // OpenBLAS's core-type override (set on this machine) slows it down
    pb.environment().remove("OPENBLAS_CORETYPE");
    pb.environment().remove("OPENBLAS_L2_SIZE");
    // the glibc tunables the tandem launcher added (huge pages) are ours: the peer runs as users run
    // it (TANDEM_PEER_HUGE_PAGES=1 keeps every tunable the launcher added, to compare like with like)
    String added = pb.environment().remove("TANDEM_GLIBC_ADDED");
    if (added != null && !"1".equals(System.getenv("TANDEM_PEER_HUGE_PAGES"))) {
      String kept = without(pb.environment().get("GLIBC_TUNABLES"), added);
      if (kept.isEmpty()) {
        pb.environment().remove("GLIBC_TUNABLES");
      } else {
        pb.environment().put("GLIBC_TUNABLES", kept); // the user's own tunables stay
      }
    }
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    TorchPeer peer = new TorchPeer(pb.start());
    peer.tunables = pb.environment().getOrDefault("GLIBC_TUNABLES", "");
    peer.hugePages = dev.tandem.api.bench.HostMemory.hugePagesRequested(peer.tunables);
    peer.read("start");
    return peer;
  }

  /** Sends one command ({@code train}, {@code prefill}, {@code decode B}, {@code ctx256}, {@code rss}) and reads its answer. */
  JsonNode ask(String command) throws IOException {
    in.println(command);
    return read(command);
  }

  private JsonNode read(String command) throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IOException("the PyTorch peer exited during '" + command + "' (its error is on stderr above)");
    }
    return json.readTree(line);
  }

  @Override
  public void close() {
    in.println("quit");
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }
}
