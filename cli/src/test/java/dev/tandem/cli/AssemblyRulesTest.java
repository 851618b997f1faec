package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The facade ({@code dev.tandem.api.inject.Tandem}) is the only assembly path: outside the api no
 * source builds a trainer or loads a model by hand, so the bound {@code TrainingListener} fires and
 * every model family and composition loads the same way everywhere. Scans the main sources of every
 * module of the build and of the examples.
 */
class AssemblyRulesTest {
  /** What only the api may do, with what to call instead. */
  private static final List<Rule> RULES =
      List.of(
          new Rule(Pattern.compile("\\bnew\\s+Trainer\\s*\\("), "Tandem#trainer"),
          new Rule(Pattern.compile("\\bLoadedModel\\s*\\.\\s*load\\s*\\("), "Tandem#loadModel"));

  private record Rule(Pattern pattern, String instead) {}

  @Test
  void onlyTheApiAssemblesTrainersAndModels() throws IOException {
    Path root = projectRoot();
    List<Path> sources = mainSources(root);
    assertTrue(sources.size() > 50, "found only " + sources.size() + " sources under " + root);
    List<String> violations = new ArrayList<>();
    for (Path f : sources) {
      if (root.relativize(f).startsWith("api")) {
        continue;
      }
      String text = stripComments(Files.readString(f));
      for (Rule r : RULES) {
        Matcher m = r.pattern().matcher(text);
        while (m.find()) {
          int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
          violations.add(root.relativize(f) + ":" + line + ": '" + m.group() + "' outside the api; call " + r.instead());
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void theRulesCatchWhatTheyAreMeantTo() {
    String code = "class X { void f() { var t = new Trainer(a, b); var m = LoadedModel.load(e, d, true); } }";
    for (Rule r : RULES) {
      assertTrue(r.pattern().matcher(code).find(), r.pattern().pattern());
      assertTrue(!r.pattern().matcher(stripComments("/** {@link new Trainer(x)} */ // LoadedModel.load(x)\n")).find());
    }
  }

  private static Path projectRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !(Files.isDirectory(p.resolve("api")) && Files.isRegularFile(p.resolve("pom.xml")))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no project root above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  private static List<Path> mainSources(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/main/java/"))
          .filter(f -> !f.toString().contains("/target/"))
          .sorted()
          .toList();
    }
  }

  /** The code without comments (line numbers kept), so that Javadoc may name what it forbids. */
  static String stripComments(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        end = end < 0 ? s.length() : end + 2;
        s.substring(i, end).chars().filter(c -> c == '\n').forEach(c -> out.append('\n'));
        i = end;
      } else if (s.startsWith("//", i)) {
        int end = s.indexOf('\n', i);
        i = end < 0 ? s.length() : end;
      } else if (s.charAt(i) == '"') {
        int end = i + 1;
        while (end < s.length() && s.charAt(end) != '"') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        out.append("\"\"");
        i = Math.min(s.length(), end + 1);
      } else {
        out.append(s.charAt(i++));
      }
    }
    return out.toString();
  }
}
