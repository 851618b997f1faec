package dev.tandem.api.option;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Declared options: parsing by type, defaults, and errors that name the option and the value. */
class OptionValuesTest {
  static final List<OptionSpec> SPECS =
      List.of(
          new OptionSpec("beta", Float.class, "0.1", "scale"),
          new OptionSpec("steps", Integer.class, "3", "count"),
          new OptionSpec("norm", Boolean.class, "false", "switch"),
          new OptionSpec("unit", TimeUnit.class, "seconds", "an enum"),
          new OptionSpec("label", String.class, "x", "text"));

  @Test
  void givenValuesAreParsedAndDefaultsFillTheRest() {
    OptionValues v = OptionValues.parse("objective 'o'", SPECS, Map.of("beta", " 0.25", "norm", "TRUE", "unit", "Minutes"));
    assertEquals(0.25f, v.getFloat("beta"));
    assertEquals(3, v.getInt("steps"));
    assertEquals(true, v.getBoolean("norm"));
    assertEquals(TimeUnit.MINUTES, v.getEnum("unit", TimeUnit.class));
    assertEquals("x", v.getString("label"));
  }

  @Test
  void unknownNamesAndBadValuesAreClearErrors() {
    var unknown = assertThrows(IllegalArgumentException.class, () -> OptionValues.parse("objective 'o'", SPECS, Map.of("gamma", "1")));
    assertEquals("objective 'o' has no option 'gamma'; its options: beta, steps, norm, unit, label", unknown.getMessage());
    var none = assertThrows(IllegalArgumentException.class, () -> OptionValues.parse("objective 'sft'", List.of(), Map.of("beta", "1")));
    assertEquals("objective 'sft' has no option 'beta'; it has no options", none.getMessage());
    assertEquals("objective 'o', option beta: 'x' is not a float", message(Map.of("beta", "x")));
    assertEquals("objective 'o', option beta: 'NaN' is not a float", message(Map.of("beta", "NaN")));
    assertEquals("objective 'o', option steps: '1.5' is not an int", message(Map.of("steps", "1.5")));
    assertEquals("objective 'o', option norm: 'yes' is not true or false", message(Map.of("norm", "yes")));
    assertEquals("objective 'o', option unit: 'weeks' is not one of nanoseconds, microseconds, milliseconds, seconds, minutes, hours, days",
        message(Map.of("unit", "weeks")));
  }

  @Test
  void specsAreChecked() {
    assertEquals("int", SPECS.get(1).typeName());
    assertEquals("float", SPECS.get(0).typeName());
    assertThrows(IllegalArgumentException.class, () -> new OptionSpec("Beta", Float.class, "1", "upper case"));
    assertThrows(IllegalArgumentException.class, () -> new OptionSpec("beta", Float.class, "one", "bad default"));
    assertThrows(IllegalArgumentException.class, () -> new OptionSpec("when", java.time.Instant.class, "0", "unsupported type"));
  }

  private static String message(Map<String, String> given) {
    return assertThrows(IllegalArgumentException.class, () -> OptionValues.parse("objective 'o'", SPECS, given)).getMessage();
  }
}
