package dev.tandem.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE.yaml}: a recipe whose keys are the command's flags, alignment-handbook
 * style ({@code learning_rate: 2.0e-5}, {@code num_train_epochs: 3}, {@code beta: 0.1}), snake_case
 * or kebab-case alike. A key that is no flag of the command is an option of its objective or
 * strategy ({@code --option KEY=VALUE}). Flags on the command line override the file: a key whose
 * flag (or {@code --option KEY=}) is given there is ignored.
 *
 * <p>The file is read before picocli parses the command line and turned into arguments placed
 * right after the command's name, so no command reads it itself. The format is a flat YAML subset:
 * {@code key: value} lines at the top level, a value quoted or not, a list as {@code [a, b]} or as
 * indented {@code - item} lines under {@code key:} (a repeatable flag), {@code true}/{@code false}
 * for a switch, {@code #} comments and a {@code ---} line. Anything else (nested mappings,
 * multi-line strings) is an error naming the file and line. Relative paths in the file are read
 * from the working directory, as on the command line.
 */
final class ConfigFile {
  /** The flag. */
  static final String FLAG = "--config";

  /** Where each option key set through {@code --option} came from ({@code FILE line N}), for errors; per run. */
  private static final ThreadLocal<Map<String, String>> ORIGINS = ThreadLocal.withInitial(LinkedHashMap::new);

  private ConfigFile() {}

  /** A recipe that cannot be used: the message names the file, the line and the key. */
  static final class ConfigException extends RuntimeException {
    ConfigException(Path file, int line, String message) {
      super(file + " line " + line + ": " + message);
    }
  }

  /** One top-level key with its values (several for a list) and its line. */
  record Entry(String key, List<String> values, int line) {}

  /**
   * {@code args} with the recipe of the command's {@code --config FILE} spliced in after the
   * command's name, or {@code args} unchanged when there is none.
   *
   * @throws ConfigException for an unreadable or malformed file or an unknown key
   */
  static String[] expand(CommandLine root, String[] args) {
    ORIGINS.get().clear();
    CommandLine cmd = root;
    int i = 0;
    while (i < args.length && cmd.getSubcommands().containsKey(args[i])) {
      cmd = cmd.getSubcommands().get(args[i++]);
    }
    CommandSpec spec = cmd.getCommandSpec();
    if (spec.findOption(FLAG) == null) {
      return args;
    }
    List<String> given = Arrays.asList(args).subList(i, args.length);
    Path file = null;
    for (int j = 0; j < given.size(); j++) {
      String a = given.get(j);
      if (a.equals(FLAG) && j + 1 < given.size()) {
        file = Path.of(given.get(j + 1));
      } else if (a.startsWith(FLAG + "=")) {
        file = Path.of(a.substring(FLAG.length() + 1));
      }
    }
    if (file == null) {
      return args;
    }
    List<String> inserted = new ArrayList<>();
    for (Entry e : read(file)) {
      OptionSpec flag = flag(spec, e.key());
      if (flag != null && flag.longestName().equals(FLAG)) {
        throw new ConfigException(file, e.line(), "key '" + e.key() + "': a recipe cannot name another recipe");
      }
      if (flag != null) {
        if (isGiven(given, flag.names())) {
          continue;
        }
        String name = flag.longestName();
        if (flag.arity().max() == 0) {
          String v = e.values().size() == 1 ? e.values().get(0) : "";
          if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new ConfigException(file, e.line(), "key '" + e.key() + "' is a switch: give true or false, not '" + String.join(", ", e.values()) + "'");
          }
          if (v.equalsIgnoreCase("true") != Boolean.TRUE.equals(flag.defaultValue() == null ? Boolean.FALSE : Boolean.valueOf(flag.defaultValue()))) {
            inserted.add(name);
          }
          continue;
        }
        if (e.values().size() > 1 && !flag.isMultiValue()) {
          throw new ConfigException(file, e.line(), "key '" + e.key() + "' takes one value, not a list");
        }
        for (String v : e.values()) {
          inserted.add(name);
          inserted.add(v);
        }
      } else if (spec.findOption("--option") != null && !(spec.userObject() instanceof ExperimentCommand)) {
        // an objective's or strategy's option (an experiment's options are all flags)
        if (e.values().size() != 1) {
          throw new ConfigException(file, e.line(), "key '" + e.key() + "' takes one value, not a list");
        }
        if (isGiven(given, new String[] {"--" + e.key(), "--" + e.key().replace('_', '-'), "--" + e.key().replace('-', '_')})
            || optionGiven(given, e.key())) {
          continue;
        }
        inserted.add("--option");
        inserted.add(e.key() + "=" + e.values().get(0));
        ORIGINS.get().put(e.key(), file + " line " + e.line());
      } else {
        throw new ConfigException(file, e.line(), "unknown key '" + e.key() + "': " + spec.qualifiedName() + " has no flag --" + e.key().replace('_', '-'));
      }
    }
    List<String> out = new ArrayList<>(Arrays.asList(args).subList(0, i));
    out.addAll(inserted);
    out.addAll(given);
    return out.toArray(String[]::new);
  }

  /**
   * If option {@code name} came from a recipe, an error naming the file, the line and the key,
   * else {@code null}.
   */
  static String unknownKey(String name, String why) {
    String origin = ORIGINS.get().get(name);
    return origin == null ? null : origin + ": unknown key '" + name + "': " + why;
  }

  /** Forgets the origins of the last run. */
  static void clear() {
    ORIGINS.remove();
  }

  private static OptionSpec flag(CommandSpec spec, String key) {
    for (String n : new String[] {key, key.replace('_', '-'), key.replace('-', '_')}) {
      OptionSpec o = spec.findOption("--" + n);
      if (o != null && !n.equals("option")) {
        return o;
      }
    }
    return null;
  }

  private static boolean isGiven(List<String> args, String[] names) {
    for (String a : args) {
      for (String n : names) {
        if (a.equals(n) || (n.startsWith("--") && a.startsWith(n + "="))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean optionGiven(List<String> args, String key) {
    for (int j = 0; j < args.size(); j++) {
      String a = args.get(j);
      String pair = a.equals("--option") && j + 1 < args.size() ? args.get(j + 1) : a.startsWith("--option=") ? a.substring(9) : null;
      if (pair != null && pair.startsWith(key + "=")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The entries of a recipe, in order.
   *
   * @throws ConfigException for a line that is not in the subset, a duplicate key, or an unreadable file
   */
  static List<Entry> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, 0, "no such file (--config)");
    } catch (IOException e) {
      throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Entry open = null; // a key: with no value, waiting for - items
    for (int n = 1; n <= lines.size(); n++) {
      String raw = stripComment(lines.get(n - 1));
      if (raw.isBlank() || raw.strip().equals("---")) {
        continue;
      }
      boolean indented = Character.isWhitespace(raw.charAt(0));
      String line = raw.strip();
      if (indented || line.startsWith("- ")  || line.equals("-")) {
        if (open == null || !line.startsWith("-")) {
          throw new ConfigException(file, n, "not a top-level 'key: value' line (a flat recipe has no nested mappings)");
        }
        open.values().add(scalar(file, n, line.substring(1).strip()));
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ConfigException(file, n, "not a 'key: value' line: " + line);
      }
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      if (!key.matches("[A-Za-z][A-Za-z0-9_-]*")) {
        throw new ConfigException(file, n, "key '" + key + "' is not a flag name");
      }
      if (entries.containsKey(key)) {
        throw new ConfigException(file, n, "key '" + key + "' given twice (first on line " + entries.get(key).line() + ")");
      }
      List<String> values = new ArrayList<>();
      Entry e = new Entry(key, values, n);
      entries.put(key, e);
      open = null;
      if (value.isEmpty()) {
        open = e;
      } else if (value.startsWith("[") && value.endsWith("]")) {
        for (String item : value.substring(1, value.length() - 1).split(",")) {
          if (!item.isBlank()) {
            values.add(scalar(file, n, item.strip()));
          }
        }
      } else {
        values.add(scalar(file, n, value));
      }
    }
    for (Entry e : entries.values()) {
      if (e.values().isEmpty()) {
        throw new ConfigException(file, e.line(), "key '" + e.key() + "' has no value");
      }
    }
    return List.copyOf(entries.values());
  }

  private static String scalar(Path file, int line, String s) {
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1);
    }
    if (s.startsWith("{") || s.startsWith("|") || s.startsWith(">") || s.startsWith("&") || s.startsWith("*")) {
      throw new ConfigException(file, line, "unsupported YAML value '" + s + "' (a flat recipe takes scalars and lists)");
    }
    return s;
  }

  private static String stripComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }
}
