package dev.tandem.cli;

import dev.tandem.api.objective.Objective;
import dev.tandem.api.option.OptionValues;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of the objective a command trains: {@code --option NAME=VALUE} for any option the
 * objective declares ({@link Objective#options()}), and {@code --beta B}, the shorthand for {@code
 * --option beta=B}. A plugin's objective gets its options from the command line with no CLI change.
 */
public final class ObjectiveOptions {
  @Option(names = "--option", paramLabel = "NAME=VALUE", description = "Set an option of the objective (repeatable); tandem objectives lists each objective's options.")
  Map<String, String> options = new LinkedHashMap<>();

  /** For recipe errors: other owners of options that were checked, e.g. a composition strategy. */
  String alsoNot = "";

  @Option(names = "--beta", paramLabel = "B", description = "Shorthand for --option beta=B, for an objective that declares beta.")
  String beta;

  /**
   * {@code objective} configured with the values given: {@code --option} pairs, {@code --beta}, and
   * the command's own shorthands, each a flag {@code --NAME} for {@code --option NAME=}.
   *
   * @param shorthands option name to the value of its flag, or null where the flag is not given
   * @throws IllegalArgumentException for an option given twice, an option the objective does not
   *     declare (listing those it does) or a bad value (naming the option and the value)
   */
  Objective configure(Objective objective, Map<String, String> shorthands) {
    Map<String, String> flags = new LinkedHashMap<>(shorthands);
    flags.put("beta", beta);
    Map<String, String> values = new LinkedHashMap<>(options);
    flags.forEach((name, value) -> {
      if (value != null && values.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException("--" + name + " and --option " + name + "= both given: give one");
      }
    });
    for (String name : values.keySet()) {
      if (objective.options().stream().noneMatch(o -> o.name().equals(name))) {
        String recipe = ConfigFile.unknownKey(name, "not a flag of the command, nor an option of objective '" + objective.name() + "' ("
            + OptionValues.describe(objective.options()) + ")" + alsoNot);
        if (recipe != null) {
          throw new IllegalArgumentException(recipe);
        }
      }
    }
    return objective.withOptions(values);
  }

  /** {@link #configure(Objective, Map)} with no shorthands of the command's own. */
  Objective configure(Objective objective) {
    return configure(objective, Map.of());
  }
}
