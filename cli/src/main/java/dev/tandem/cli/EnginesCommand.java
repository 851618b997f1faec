package dev.tandem.cli;

import dev.tandem.api.engine.Availability;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.inject.Tandem;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tandem engines}: one line per engine, {@code NAME<TAB>available|unavailable: reason<TAB>devices}
 * (devices comma-separated, empty when unavailable). Checking availability loads no native code.
 *
 * <p>Exit status: 0 when at least one engine can run, 1 when none can (none found, or all
 * unavailable), so that {@code tandem engines > /dev/null} is a preflight check for scripts; the
 * list is printed either way.
 */
@Command(
    name = "engines",
    description = {
      "List the engines found, whether they can run here (and why not), and their devices.",
      "Exit status 0 when at least one engine is available, 1 when none is."
    })
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
    boolean any = false;
    for (EngineProvider p : providers) {
      Availability a = p.availability();
      any |= a.available();
      String status = a.available() ? "available" : "unavailable: " + a.reason();
      out.println(p.name() + "\t" + status + "\t" + String.join(",", a.devices()));
    }
    return any ? 0 : 1;
  }
}
