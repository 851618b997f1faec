package dev.tandem.cli;

import java.io.PrintWriter;
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
    return cli.execute(args);
  }

  /**
   * The whole command line: the built-in commands, and under {@code demo} one subcommand per
   * {@link dev.tandem.api.experiment.Experiment} that the plugins provide.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    CommandLine demo = cli.getSubcommands().get("demo");
    try {
      for (var x : ExperimentCommand.ordered(dev.tandem.api.inject.Tandem.create().experiments())) {
        if (!demo.getSubcommands().containsKey(x.name())) {
          demo.addSubcommand(x.name(), ExperimentCommand.create(x));
        }
      }
    } catch (RuntimeException e) {
      // a broken plugin must not take the other commands down; 'tandem demo' reports it when run
    }
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
