package dev.tandem.api.option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Values given for declared options ({@code --option NAME=VALUE}), checked and parsed, with each
 * option's default where none was given: what a plugin's {@code withOptions(Map)} reads.
 *
 * <pre>{@code
 * public SimpoObjective withOptions(Map<String, String> values) {
 *   OptionValues v = OptionValues.parse("objective '" + name() + "'", options(), values);
 *   return new SimpoObjective(v.getFloat("beta"), v.getFloat("gamma"));
 * }
 * }</pre>
 */
public final class OptionValues {
  private final String owner;
  private final Map<String, Object> values;

  private OptionValues(String owner, Map<String, Object> values) {
    this.owner = owner;
    this.values = values;
  }

  /**
   * Checks {@code given} against {@code declared} and parses every value.
   *
   * @param owner who declares the options, for errors, e.g. {@code objective 'simpo'}
   * @param declared the declared options (their defaults fill in what is not given)
   * @param given values by option name, as typed
   * @throws IllegalArgumentException for a name that is not declared (the message lists the
   *     declared ones) or a value that does not parse (the message names the option and the value)
   */
  public static OptionValues parse(String owner, List<OptionSpec> declared, Map<String, String> given) {
    Map<String, OptionSpec> byName = new LinkedHashMap<>();
    declared.forEach(s -> byName.put(s.name(), s));
    for (String name : given.keySet()) {
      if (!byName.containsKey(name)) {
        throw new IllegalArgumentException(owner + " has no option '" + name + "'; " + describe(declared));
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (OptionSpec s : declared) {
      String text = given.get(s.name());
      try {
        values.put(s.name(), s.parse(text == null ? s.defaultValue() : text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(owner + ", " + e.getMessage(), e);
      }
    }
    return new OptionValues(owner, values);
  }

  /** {@code its options: beta, gamma}, or {@code it has no options}. */
  public static String describe(List<OptionSpec> declared) {
    return declared.isEmpty() ? "it has no options" : "its options: " + declared.stream().map(OptionSpec::name).collect(Collectors.joining(", "));
  }

  /** The value of a declared option, of its declared type. */
  public Object get(String name) {
    Object v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException(owner + " declares no option '" + name + "'");
    }
    return v;
  }

  /** A {@code Float} option's value. */
  public float getFloat(String name) {
    return (Float) get(name);
  }

  /** A {@code Double} option's value. */
  public double getDouble(String name) {
    return (Double) get(name);
  }

  /** An {@code Integer} option's value. */
  public int getInt(String name) {
    return (Integer) get(name);
  }

  /** A {@code Long} option's value. */
  public long getLong(String name) {
    return (Long) get(name);
  }

  /** A {@code Boolean} option's value. */
  public boolean getBoolean(String name) {
    return (Boolean) get(name);
  }

  /** A {@code String} option's value. */
  public String getString(String name) {
    return (String) get(name);
  }

  /** An enum option's value. */
  public <E extends Enum<E>> E getEnum(String name, Class<E> type) {
    return type.cast(get(name));
  }
}
