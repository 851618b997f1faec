package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden module descriptors: {@code jar --describe-module} of every Tandem module jar must equal
 * {@code src/test/resources/module-descriptors/<name>.txt}, so that an accidental change to a
 * {@code module-info.java} (an export, a {@code requires transitive}, an {@code opens}, a service)
 * fails the build. The first line's jar path and version are normalised away.
 *
 * <p>The jars come from system properties {@code tandem.jar.<name>} that it-tests/pom.xml sets:
 * covering one more module is one more such line (and its golden file, written by the update run).
 *
 * <p>After an intended change: {@code mvn -o -B verify -pl it-tests -am -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ModuleDescriptorsIT -Dtandem.golden.update=true},
 * then review and commit the changed golden files.
 */
class ModuleDescriptorsIT {
  static final String PREFIX = "tandem.jar.";
  static final String UPDATE = "tandem.golden.update";
  static final String HOW_TO_UPDATE =
      "if the change is intended, rewrite the golden files with\n  mvn -o -B verify -pl it-tests -am -Dtest=none"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ModuleDescriptorsIT -D" + UPDATE + "=true\n"
          + "and commit them";

  /** The modules whose descriptors are checked: {@code tandem.jar.<name>} system properties. */
  static Set<String> modules() {
    Set<String> names = System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith(PREFIX)).map(k -> k.substring(PREFIX.length())).collect(Collectors.toCollection(TreeSet::new));
    if (names.isEmpty()) {
      throw new IllegalStateException("no " + PREFIX + "* system property: run through Maven, which sets them in it-tests/pom.xml");
    }
    return names;
  }

  static Path goldenDir() {
    String d = System.getProperty("tandem.golden.dir");
    if (d == null || d.isBlank()) {
      throw new IllegalStateException("system property tandem.golden.dir is not set: run through Maven (it-tests/pom.xml)");
    }
    return Path.of(d);
  }

  static boolean updating() {
    return Boolean.getBoolean(UPDATE);
  }

  @TestFactory
  Stream<DynamicTest> everyModuleDescriptorMatchesItsGoldenFile() {
    return modules().stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
  }

  @Test
  void everyGoldenFileBelongsToACheckedModule() throws IOException {
    Set<String> stale = new TreeSet<>();
    try (Stream<Path> s = Files.list(goldenDir())) {
      s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".txt"))
          .map(f -> f.substring(0, f.length() - 4)).filter(n -> !modules().contains(n)).forEach(stale::add);
    }
    if (updating()) {
      for (String n : stale) {
        Files.delete(goldenDir().resolve(n + ".txt"));
      }
      return;
    }
    assertEquals(Set.of(), stale, "golden files without a " + PREFIX + "<name> property in it-tests/pom.xml; " + HOW_TO_UPDATE);
  }

  private static void check(String name) throws IOException {
    Path jar = ModulePathJava.jar(PREFIX + name);
    String actual = describe(jar);
    Path golden = goldenDir().resolve(name + ".txt");
    if (updating()) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.isRegularFile(golden)) {
      fail(golden + ": no golden descriptor for " + jar.getFileName() + "; " + HOW_TO_UPDATE + "\nactual:\n" + actual);
    }
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    if (!expected.equals(actual)) {
      fail("the module descriptor of " + jar.getFileName() + " differs from " + golden + "\n"
          + diff(expected, actual) + HOW_TO_UPDATE);
    }
  }

  /**
   * {@code jar --describe-module --file JAR}, its first line ({@code name@version
   * jar:file:///...!/module-info.class}) reduced to the module name.
   */
  static String describe(Path jar) {
    ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow(() -> new IllegalStateException("no jar tool in this JDK"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = tool.run(new PrintWriter(out, true), new PrintWriter(err, true), "--describe-module", "--file", jar.toString());
    if (rc != 0) {
      throw new IllegalStateException("jar --describe-module --file " + jar + " exited " + rc + ": " + err + out);
    }
    List<String> lines = new ArrayList<>(out.toString().strip().lines().toList());
    if (lines.isEmpty() || lines.get(0).startsWith("No module descriptor")) {
      throw new IllegalStateException(jar + ": not a modular jar: " + out);
    }
    String first = lines.get(0);
    int at = first.indexOf('@');
    int space = first.indexOf(' ');
    int end = at > 0 ? at : space > 0 ? space : first.length();
    lines.set(0, first.substring(0, end));
    return String.join("\n", lines) + "\n";
  }

  /** The lines only in the golden file ({@code -}) and only in the jar ({@code +}). */
  static String diff(String expected, String actual) {
    List<String> e = expected.lines().toList();
    List<String> a = actual.lines().toList();
    StringBuilder sb = new StringBuilder();
    e.stream().filter(l -> !a.contains(l)).forEach(l -> sb.append("  - ").append(l).append('\n'));
    a.stream().filter(l -> !e.contains(l)).forEach(l -> sb.append("  + ").append(l).append('\n'));
    if (sb.length() == 0) {
      sb.append("  (same lines, different order)\n");
    }
    return sb.toString();
  }
}
