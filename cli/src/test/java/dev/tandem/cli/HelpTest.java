package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code --help} on every command, found from the command tree: usage on stdout, exit 0, no stderr. */
class HelpTest {
  /** The path of every command (e.g. {@code [demo, spin]}), the root ({@code []}) included. */
  static Stream<List<String>> commands() {
    List<List<String>> paths = new ArrayList<>();
    walk(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), List.of(), paths,
        Collections.newSetFromMap(new IdentityHashMap<>()));
    return paths.stream();
  }

  private static void walk(CommandLine cli, List<String> path, List<List<String>> paths, Set<CommandLine> seen) {
    if (!seen.add(cli)) {
      return; // an alias of a command already listed
    }
    paths.add(path);
    cli.getSubcommands().forEach((name, sub) -> {
      List<String> p = new ArrayList<>(path);
      p.add(name);
      walk(sub, List.copyOf(p), paths, seen);
    });
  }

  @ParameterizedTest(name = "tandem {0} --help")
  @MethodSource("commands")
  void helpPrintsUsageAndExitsZero(List<String> path) {
    for (String flag : List.of("--help", "-h")) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      List<String> args = new ArrayList<>(path);
      args.add(flag);
      int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
      String cmd = String.join(" ", args);
      assertEquals(0, code, cmd + ": exit code; stderr: " + err);
      assertTrue(out.toString().contains("Usage: " + String.join(" ", Stream.concat(Stream.of("tandem"), path.stream()).toList())),
          cmd + ": stdout is not the usage:\n" + out);
      assertEquals("", err.toString(), cmd + ": stderr");
    }
  }

  @Test
  void everyCommandIsFound() {
    List<String> names = commands().map(p -> String.join(" ", p)).toList();
    for (String c : List.of("", "sft", "dpo", "compose", "spin", "demo", "demo spin", "demo calm", "help")) {
      assertTrue(names.contains(c), "missing '" + c + "' in " + names);
    }
  }
}
