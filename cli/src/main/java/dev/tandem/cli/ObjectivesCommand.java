package dev.tandem.cli;

import dev.tandem.api.inject.PluginLayers;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.objective.InputLayout;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.option.OptionSpec;
import java.net.URL;
import java.security.CodeSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem objectives}: one line per objective found, {@code NAME<TAB>COMMAND<TAB>CLASS<TAB>ORIGIN}:
 * the command that trains it ({@code sft} for sequences, {@code dpo} for preference pairs), its
 * class, and where it came from ({@code module NAME} or {@code class path}, then its jar), so a
 * plugin author sees whether and from where an objective was loaded. Under it, one line per option
 * it declares, indented: {@code   NAME (TYPE, default VALUE): DOC}, set with {@code --option
 * NAME=VALUE}. Last, one line per plugin jar that was skipped ({@code TANDEM_MODULE_PATH}; a warning on
 * stderr said so too): {@code JAR-FILE-NAME<TAB>-<TAB>-<TAB>broken: REASON (JAR)}.
 */
@Command(name = "objectives", description = "List the objectives found (built in and from plugins), the command that trains each, and their options (--option NAME=VALUE).")
public final class ObjectivesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    Tandem tandem = Tandem.create();
    Map<String, Objective> all = new TreeMap<>(tandem.objectives());
    for (Objective o : all.values()) {
      String command = o.inputLayout() == InputLayout.PREFERENCE_PAIRS ? "dpo" : "sft";
      out.println(o.name() + "\t" + command + "\t" + o.getClass().getName() + "\t" + origin(o.getClass()));
      for (OptionSpec option : o.options()) {
        out.println("  " + option.describe());
      }
    }
    for (PluginLayers.Broken b : tandem.brokenPlugins()) {
      out.println(b.jar().getFileName() + "\t-\t-\tbroken: " + b.reason() + " (" + b.jar() + ")");
    }
    return 0;
  }

  static String origin(Class<?> c) {
    Module m = c.getModule();
    String where = m.isNamed() ? "module " + m.getName() : "class path";
    CodeSource source = c.getProtectionDomain().getCodeSource();
    URL url = source == null ? null : source.getLocation();
    return url == null ? where : where + " (" + url.getPath() + ")";
  }
}
