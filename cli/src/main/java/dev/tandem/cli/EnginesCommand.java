package dev.tandem.cli;

import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.inject.Tandem;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tandem engines}: one line per engine, {@code NAME<TAB>available|unavailable: reason<TAB>devices}. */
@Command(name = "engines", description = "List the engines found and whether they can run here.")
public final class EnginesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var providers = Tandem.create().engines().providers();
    if (providers.isEmpty()) {
      out.println("(no engine on the module path)");
      return 1;
    }
    for (EngineProvider p : providers) {
      Availability a = p.availability();
      String status = a.available() ? "available" : "unavailable: " + a.reason();
      out.println(p.name() + "\t" + status + "\t" + String.join(",", a.devices()));
    }
    return 0;
  }
}
