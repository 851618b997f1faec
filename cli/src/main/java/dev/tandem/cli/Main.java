package dev.tandem.cli;

import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.PluginLayers;
import java.io.PrintWriter;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tandem} command. Exit codes: 0 success, 1 failure, 2 bad usage. */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    version = "tandem 0.1.0",
    description = "Post-train and compose causal language models on interchangeable engines.",
    subcommands = {
      EnginesCommand.class,
      ObjectivesCommand.class,
      StrategiesCommand.class,
      FamiliesCommand.class,
      MergeCommand.class,
      InitCommand.class,
      SftCommand.class,
      ComposeCommand.class,
      DpoCommand.class,
      SpinCommand.class,
      GenerateCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      SamplesCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns the exit code (for tests and embedders). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(out, err);
    try {
      return cli.execute(ConfigFile.expand(cli, args));
    } catch (ConfigFile.ConfigException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } finally {
      ConfigFile.clear();
    }
  }

  /**
   * The configured command line: output and error writers, the error handler, and {@code
   * -h/--help} and {@code -V/--version} on every command.
   */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("error: " + Errors.describe(e));
          if (System.getenv("TANDEM_DEBUG") != null) {
            e.printStackTrace(line.getErr());
          }
          return 1;
        });
    return cli;
  }

  /**
   * Gives every command, subcommands of subcommands included, the standard help options, so that
   * {@code --help} prints the usage and exits 0 without checking required options.
   */
  private static void addHelpOptions(CommandLine cli, String[] version) {
    CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.mixinStandardHelpOptions(true);
      if (spec.version().length == 0) {
        spec.version(version);
      }
    }
    cli.getSubcommands().values().forEach(sub -> addHelpOptions(sub, version));
  }

  /**
   * The whole command line: the built-in commands, and under {@code demo} one subcommand per
   * {@link Experiment} that the plugins provide.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    addExperiments(cli.getSubcommands().get("demo"));
    addHelpOptions(cli, cli.getCommandSpec().version());
    return cli;
  }

  /**
   * A subcommand per experiment found through {@link ServiceLoader} on the module path and in the
   * jars on the plugin path ({@link PluginLayers#configured}), without building the facade, which
   * the command itself does. A provider that fails to load is left out here; {@code tandem demo}
   * reports it when the facade finds it.
   */
  private static void addExperiments(CommandLine demo) {
    Map<String, Experiment> found = new TreeMap<>();
    try {
      for (ServiceLoader.Provider<Experiment> p : ServiceLoader.load(Experiment.class).stream().toList()) {
        try {
          Experiment x = p.get();
          found.putIfAbsent(x.name(), x);
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
          // skipped: reported by the facade when the experiment is run
        }
      }
    } catch (ServiceConfigurationError e) {
      // none from the module path
    }
    try {
      // the plugin path's, after the module path's (a plugin's that clashes is skipped by the facade)
      for (Experiment x : PluginLayers.configured(Experiment.class)) {
        found.putIfAbsent(x.name(), x);
      }
    } catch (LinkageError | RuntimeException e) {
      // reported by the facade when the command runs
    }
    for (Experiment x : ExperimentCommand.ordered(found)) {
      if (!demo.getSubcommands().containsKey(x.name())) {
        demo.addSubcommand(x.name(), ExperimentCommand.create(x));
      }
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
