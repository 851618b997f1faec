package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The api's packages use only packages listed before them in the "Package order" of {@code
 * module-info.java}'s Javadoc: the written order is the checked one, and a new cycle fails here
 * naming the file and the package it reaches.
 */
class PackageOrderTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern LISTED = Pattern.compile("<li>\\{@code dev\\.tandem\\.api\\.(\\w+)\\}");
  private static final Pattern USE = Pattern.compile("dev\\.tandem\\.api\\.(\\w+)\\.[A-Z]");

  @Test
  void everyPackageUsesOnlyThePackagesBeforeIt() throws IOException {
    List<String> order = order();
    List<String> violations = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES.resolve("dev/tandem/api"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.resolve("dev/tandem/api").relativize(f.getParent()).toString().replace('/', '.');
        if (pkg.isEmpty()) {
          continue;
        }
        seen.add(pkg);
        assertTrue(order.contains(pkg), "package " + pkg + " is missing from the package order in module-info.java");
        String code = withoutComments(Files.readString(f));
        Matcher m = USE.matcher(code);
        while (m.find()) {
          String used = m.group(1);
          if (order.contains(used) && order.indexOf(used) > order.indexOf(pkg)) {
            violations.add(f + " (" + pkg + ") uses " + used + ", listed after it");
          }
        }
      }
    }
    assertEquals(new TreeSet<>(order), seen, "every listed package exists, every package is listed");
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }

  private static List<String> order() throws IOException {
    List<String> order = new ArrayList<>();
    Matcher m = LISTED.matcher(Files.readString(SOURCES.resolve("module-info.java")));
    while (m.find()) {
      order.add(m.group(1));
    }
    assertTrue(order.size() > 5, "module-info.java lists the package order");
    return order;
  }

  private static String withoutComments(String java) {
    return java.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
  }
}
