package dev.tandem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem demo}: the group of end-to-end experiments, one subcommand each. To add one, write
 * the subcommand and list it in {@code subcommands} below.
 */
@Command(
    name = "demo",
    description = "Run an end-to-end experiment that reproduces a paper's result at small scale.",
    subcommands = {DemoSpinCommand.class, DemoCalmCommand.class})
public final class DemoCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
