package dev.tandem.cli;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.ExperimentContext;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tandem demo NAME}: runs a plugin's {@link Experiment}, built from what it declares: a flag
 * {@code --OPTION VALUE} (and its snake_case alias) per declared option, {@code --option
 * NAME=VALUE} for any of them, {@code --output}, and the engine options. A third-party experiment
 * gets its command with no CLI change.
 */
final class ExperimentCommand implements Callable<Integer> {
  private final Experiment experiment;
  private final EngineOptionsMixin engineOptions = new EngineOptionsMixin();
  private CommandSpec spec;

  private ExperimentCommand(Experiment experiment) {
    this.experiment = experiment;
  }

  /** The command for {@code experiment}. */
  static CommandLine create(Experiment experiment) {
    ExperimentCommand cmd = new ExperimentCommand(experiment);
    CommandSpec spec = CommandSpec.wrapWithoutInspection(cmd);
    spec.name(experiment.name());
    spec.mixinStandardHelpOptions(true);
    spec.usageMessage().description(
        experiment.description(),
        "Writes " + String.join(" and ", experiment.reports()) + " to --output and prints the table; options as --NAME VALUE or --option NAME=VALUE.");
    spec.addMixin("engine", CommandSpec.forAnnotatedObject(cmd.engineOptions));
    spec.addOption(CommandLine.Model.OptionSpec.builder("--output", "-o").required(true).type(Path.class).paramLabel("DIR")
        .description("Experiment directory: data, models, reports and plots.").build());
    spec.addOption(CommandLine.Model.OptionSpec.builder(ConfigFile.FLAG).type(Path.class).paramLabel("FILE.yaml")
        .description("A recipe: YAML whose keys are these flags (base_steps: 400); flags given here override it.").build());
    spec.addOption(CommandLine.Model.OptionSpec.builder("--option").type(Map.class).auxiliaryTypes(String.class, String.class)
        .paramLabel("NAME=VALUE").description("Sets one of the options below; repeatable.").build());
    for (OptionSpec o : experiment.options()) {
      String flag = "--" + o.name();
      String snake = "--" + o.name().replace('-', '_');
      String[] names = flag.equals(snake) ? new String[] {flag} : new String[] {flag, snake};
      spec.addOption(CommandLine.Model.OptionSpec.builder(names).type(String.class).paramLabel(o.typeName().toUpperCase(java.util.Locale.ROOT))
          .description(o.doc() + " (" + o.typeName() + ", default: " + (o.defaultValue().isEmpty() ? "none" : o.defaultValue()) + ").").build());
    }
    cmd.spec = spec;
    return new CommandLine(spec);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OptionValues values = OptionValues.parse("experiment '" + experiment.name() + "'", experiment.options(), given());
    Path output = spec.findOption("--output").getValue();
    Files.createDirectories(output);
    Tandem tandem = Tandem.create();
    // the facade's: a plugin jar it skipped (say for a clashing name) does not run
    Experiment x = tandem.experiments().get(experiment.name());
    if (x == null) {
      ModuleLayer layer = experiment.getClass().getModule().getLayer();
      if (layer != null && layer != ModuleLayer.boot()) {
        throw new IllegalStateException("experiment '" + experiment.name() + "' is not available: its plugin jar was skipped (see the warning above)");
      }
      x = experiment; // given to the command line alone (tests, embedders)
    }
    ExperimentContext ctx =
        ExperimentContext.of(tandem, threads -> engine(tandem, err, threads), engineOptions.threads, values, output, out, task -> new ProgressListener(task, out));
    x.run(ctx);
    return 0;
  }

  /** The declared options given, from their flags and --option; one given both ways is an error. */
  private Map<String, String> given() {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> pairs = spec.findOption("--option").getValue();
    if (pairs != null) {
      values.putAll(pairs);
    }
    for (OptionSpec o : experiment.options()) {
      String v = spec.findOption("--" + o.name()).getValue();
      if (v != null && values.putIfAbsent(o.name(), v) != null) {
        throw new IllegalArgumentException("--" + o.name() + " and --option " + o.name() + "= both given: give one");
      }
    }
    return values;
  }

  private Engine engine(Tandem tandem, PrintWriter err, int defaultThreads) {
    int threads = engineOptions.threads > 0 ? engineOptions.threads : defaultThreads;
    Engine e = tandem.engine(engineOptions.engine, new EngineOptions(engineOptions.device, threads));
    EngineOptionsMixin.announce(err, e, threads);
    return e;
  }

  /** The experiments in the order {@code tandem demo} runs them: SPIN, CALM, then the others by name. */
  static List<Experiment> ordered(Map<String, Experiment> found) {
    List<String> first = List.of("spin", "calm");
    java.util.ArrayList<Experiment> out = new java.util.ArrayList<>();
    first.stream().filter(found::containsKey).forEach(n -> out.add(found.get(n)));
    found.values().stream().filter(x -> !first.contains(x.name())).forEach(out::add);
    return out;
  }
}
