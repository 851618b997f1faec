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
    return commandLine(out, err).execute(args);
  }

  /**
   * The configured command line: output and error writers, the error handler, and {@code
   * -h/--help} and {@code -V/--version} on every command.
   */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    addHelpOptions(cli, cli.getCommandSpec().version());
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

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
