package dev.tandem.cli;

import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.option.OptionSpec;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem strategies}: one line per composition strategy found, {@code NAME<TAB>CLASS<TAB>ORIGIN}
 * (built in or a plugin's, and from which module or jar), and under it one line per option it
 * declares, indented: {@code   NAME (TYPE, default VALUE): DOC}, set with {@code tandem compose
 * --strategy NAME --option NAME=VALUE} or {@code --NAME VALUE}.
 */
@Command(name = "strategies", description = "List the composition strategies found (built in and from plugins) and their options (tandem compose --option NAME=VALUE).")
public final class StrategiesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    Tandem tandem = Tandem.create();
    Map<String, CompositionStrategy> all = new TreeMap<>(tandem.compositions());
    for (var e : all.entrySet()) {
      CompositionStrategy s = e.getValue();
      out.println(e.getKey() + "\t" + s.getClass().getName() + "\t" + ObjectivesCommand.origin(s.getClass()));
      for (OptionSpec option : s.options()) {
        out.println("  " + option.describe());
      }
    }
    return 0;
  }
}
