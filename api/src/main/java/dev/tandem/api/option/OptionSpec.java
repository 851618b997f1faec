package dev.tandem.api.option;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One hyperparameter a plugin declares (an objective's {@code beta}, SimPO's {@code gamma}): what
 * {@code tandem objectives} lists and {@code --option NAME=VALUE} sets, with no CLI change.
 *
 * <pre>{@code
 * new OptionSpec("gamma", Float.class, Float.toString(gamma), "target reward margin")
 * }</pre>
 *
 * @param name what users type, e.g. {@code beta}: lower case, letters, digits, {@code -} and
 *     {@code _}
 * @param type one of {@link #TYPES} or an enum (values matched case-insensitively)
 * @param defaultValue the value when none is given, as a user would type it ({@link #parse} must
 *     accept it); a configured instance reports its current value here
 * @param doc one line: what it does, e.g. {@code "scale of the log-ratio margin"}
 */
public record OptionSpec(String name, Class<?> type, String defaultValue, String doc) {
  /** The value types besides enums: {@code Float}, {@code Double}, {@code Integer}, {@code Long}, {@code Boolean}, {@code String}. */
  public static final Set<Class<?>> TYPES = Set.of(Float.class, Double.class, Integer.class, Long.class, Boolean.class, String.class);

  /**
   * @throws IllegalArgumentException if the name is not a valid option name, the type is not
   *     supported, or the default does not parse
   */
  public OptionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(doc, "doc");
    if (!name.matches("[a-z][a-z0-9_-]*")) {
      throw new IllegalArgumentException("option name '" + name + "' must be lower case: letters, digits, - and _");
    }
    if (!type.isEnum() && !TYPES.contains(type)) {
      throw new IllegalArgumentException("option " + name + ": unsupported type " + type.getName());
    }
    parseValue(name, type, defaultValue);
  }

  /**
   * The value of {@code text} as {@link #type()}: a {@code Float} for {@code Float.class}, the enum
   * constant for an enum.
   *
   * @throws IllegalArgumentException naming the option and the value if it does not parse
   */
  public Object parse(String text) {
    return parseValue(name, type, text);
  }

  /** The type as users read it: {@code float}, {@code int}, {@code boolean}, or an enum's values {@code sigmoid|hinge}. */
  public String typeName() {
    if (type.isEnum()) {
      return Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("|"));
    }
    return type == Integer.class ? "int" : type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  /** The line listings print: {@code NAME (TYPE, default VALUE): DOC}, {@code none} for an empty default. */
  public String describe() {
    return name + " (" + typeName() + ", default " + (defaultValue.isEmpty() ? "none" : defaultValue) + "): " + doc;
  }

  private static Object parseValue(String name, Class<?> type, String text) {
    String s = text.strip();
    try {
      if (type == Float.class || type == Double.class) {
        double d = Double.parseDouble(s);
        if (Double.isNaN(d)) {
          throw new NumberFormatException();
        }
        return type == Float.class ? (Object) (float) d : (Object) d;
      }
      if (type == Integer.class) {
        return Integer.parseInt(s);
      }
      if (type == Long.class) {
        return Long.parseLong(s);
      }
    } catch (NumberFormatException e) {
      throw bad(name, text, "is not a" + (type == Integer.class ? "n int" : " " + type.getSimpleName().toLowerCase(Locale.ROOT)));
    }
    if (type == Boolean.class) {
      if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(s);
      }
      throw bad(name, text, "is not true or false");
    }
    if (type.isEnum()) {
      for (Object c : type.getEnumConstants()) {
        if (((Enum<?>) c).name().equalsIgnoreCase(s)) {
          return c;
        }
      }
      throw bad(name, text, "is not one of " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
    return text;
  }

  private static IllegalArgumentException bad(String name, String text, String why) {
    return new IllegalArgumentException("option " + name + ": '" + text + "' " + why);
  }
}
