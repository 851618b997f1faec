package dev.tandem.api.inject;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import com.google.inject.util.Modules;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.EngineProvider;
import dev.tandem.api.engine.EngineRegistry;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.Evaluation;
import dev.tandem.api.train.Trainer;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import dev.tandem.api.io.ModelFormats;
import dev.tandem.api.model.GptFamily;
import dev.tandem.api.model.ModelFamily;
import dev.tandem.api.tokenizer.TokenizerProvider;
import java.util.Set;

/**
 * The facade for embedders and the CLI: builds the Guice injector from the core module, every
 * {@link TandemPlugin} found, and the caller's overrides.
 *
 * <pre>{@code
 * Tandem tandem = Tandem.create();                       // discover engines and plugins
 * try (Engine engine = tandem.engine(null, EngineOptions.defaults())) { ... }
 * Objective sft = tandem.objective("sft");
 * }</pre>
 *
 * <p>The facade is the one assembly path, for the CLI, plugins' workflows and embedders alike: a
 * model (plain or composed) is loaded with {@link #loadModel}, its data read with {@link #examples}
 * and {@link #preferencePairs}, trained with a {@link #trainer}, and measured with {@link #evaluate}
 * and {@link #generate}:
 *
 * <pre>{@code
 * try (Engine engine = tandem.engine(null, EngineOptions.defaults())) {
 *   LoadedModel model = tandem.loadModel(engine, Path.of("model"), false);
 *   Evaluation.Result r = tandem.evaluate(engine, model, Path.of("test.jsonl"), 32);
 *   String answer = tandem.generate(engine, model, "2+2=", SamplingConfig.greedy(16));
 * }
 * }</pre>
 *
 * <p>Bindings the framework consults, each replaceable with {@link Builder#override}: the {@link
 * Tokenizer} for new models ({@link #tokenizer()}) and the {@link TrainingListener} that every
 * {@link #trainer trainer} created here reports to ({@link #trainingListener()}):
 *
 * <pre>{@code
 * Tandem tandem = Tandem.builder()
 *     .override(new AbstractModule() {
 *       @Override protected void configure() {
 *         bind(TrainingListener.class).toInstance(mySink);   // receives every step's loss
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public final class Tandem {
  private final Injector injector;
  private final List<PluginLayers.Broken> brokenPlugins;
  private final List<Experiment> experiments;
  private final List<Workflow> workflows;
  private final ModelFormats formats;

  private Tandem(
      Injector injector, List<PluginLayers.Broken> brokenPlugins, List<Experiment> experiments, List<Workflow> workflows,
      ModelFormats formats) {
    this.formats = formats;
    this.injector = injector;
    this.brokenPlugins = List.copyOf(brokenPlugins);
    this.experiments = List.copyOf(experiments);
    this.workflows = List.copyOf(workflows);
  }

  /**
   * Discovers engines, objectives and plugins through {@link ServiceLoader}: Tandem's own and those
   * on the module path, and the jars on the plugin path ({@link PluginLayers}), each in a module
   * layer of its own. A plugin that fails to load, link or construct is skipped with a warning on
   * stderr ({@link #brokenPlugins()}).
   */
  public static Tandem create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The plugin jars on the plugin path ({@link PluginLayers}) that were skipped, each with its path
   * and the reason (a warning on standard error said so too); everything else works without them.
   */
  public List<PluginLayers.Broken> brokenPlugins() {
    return brokenPlugins;
  }

  /** The injector, for plugins' own types. */
  public Injector injector() {
    return injector;
  }

  /** The engines by rank. */
  public EngineRegistry engines() {
    return injector.getInstance(EngineRegistry.class);
  }

  /**
   * Selects and creates an engine: {@code name}, else {@code TANDEM_ENGINE}, else the best available.
   */
  public Engine engine(String name, EngineOptions options) {
    return engines().create(name, options);
  }

  /**
   * All objectives by name.
   *
   * @throws IllegalStateException if objectives of two different classes claim one name (say a
   *     plugin's {@code dpo}): the error names both classes and their modules
   */
  public Map<String, Objective> objectives() {
    Map<String, Set<Objective>> claims = objectiveClaims(injector);
    for (Map.Entry<String, Set<Objective>> e : claims.entrySet()) {
      List<String> owners = e.getValue().stream().map(o -> origin(o.getClass())).distinct().sorted().toList();
      if (owners.size() > 1) {
        throw new IllegalStateException(
            "objective name '" + e.getKey() + "' is claimed by " + String.join(" and ", owners) + ": each objective needs its own name");
      }
    }
    return injector.getInstance(Key.get(new TypeLiteral<Map<String, Objective>>() {}));
  }

  private static Map<String, Set<Objective>> objectiveClaims(Injector injector) {
    return injector.getInstance(Key.get(new TypeLiteral<Map<String, Set<Objective>>>() {}));
  }

  /** The class and where it comes from: its module, a plugin jar's path, or the class path. */
  private static String origin(Class<?> c) {
    java.lang.Module m = c.getModule();
    if (m.isNamed() && m.getLayer() != null && m.getLayer() != ModuleLayer.boot()) {
      var source = c.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) {
        return c.getName() + " (module " + m.getName() + " from plugin " + source.getLocation().getPath() + ")";
      }
    }
    return c.getName() + (m.isNamed() ? " (module " + m.getName() + ")" : " (class path)");
  }

  /** The objective with this name; the error lists the known ones. */
  public Objective objective(String name) {
    return Named.get(objectives(), "objective", name);
  }

  /**
   * All composition strategies by name: those a plugin declares with {@code provides
   * dev.tandem.api.compose.CompositionStrategy} (CALM's {@code calm} and {@code lora}), found once
   * through {@link ServiceLoader} (module path and plugin path), plus any given to {@link
   * Builder#composition}.
   */
  public Map<String, CompositionStrategy> compositions() {
    return injector.getInstance(Key.get(new TypeLiteral<Map<String, CompositionStrategy>>() {}));
  }

  /** The composition strategy with this name; the error lists the known ones. */
  public CompositionStrategy composition(String name) {
    return Named.get(compositions(), "composition strategy", name);
  }

  /**
   * Loads a model directory, plain, composed or a LoRA adapter (PEFT's layout, on the base it names),
   * onto {@code engine}: the one entry point for
   * commands that accept any model ({@link LoadedModel#load(Engine, Path, boolean, Map)} with this
   * facade's composition strategies).
   *
   * @param trainable whether the model's own parameters (a composition's new ones) train
   */
  public LoadedModel loadModel(Engine engine, Path dir, boolean trainable) throws IOException {
    return LoadedModel.load(engine, dir, trainable, compositions(), formats);
  }

  /**
   * A new LoRA adapter on the model in {@code base}, which stays frozen: only the adapter trains,
   * and the model saves (and checkpoints) the adapter alone in PEFT's layout ({@code
   * adapter_config.json}, {@code adapter_model.safetensors}), naming its base. Any objective trains
   * it.
   *
   * @param seed the adapter's initial {@code A}
   * @throws IllegalArgumentException when a target matches no weight of the base, or for a dropout
   */
  public LoadedModel adapt(Engine engine, Path base, dev.tandem.api.adapter.LoraConfig lora, long seed) throws IOException {
    return dev.tandem.api.compose.Adapters.fresh(engine, base, lora, seed, formats);
  }

  /**
   * The adapter in {@code adapter} (PEFT's layout) on {@code base} instead of the base it names;
   * {@link #loadModel} loads an adapter directory on the base it names.
   *
   * @param trainable whether the adapter trains further
   */
  public LoadedModel loadModel(Engine engine, Path base, Path adapter, boolean trainable) throws IOException {
    return dev.tandem.api.compose.Adapters.load(engine, adapter, base, trainable, formats);
  }

  /**
   * The model families and tokenizer providers model directories are read with: the built-in
   * {@code gpt2}, and those plugins provide ({@code provides dev.tandem.api.model.ModelFamily},
   * {@code dev.tandem.api.tokenizer.TokenizerProvider}) on the module path or plugin path.
   */
  public ModelFormats modelFormats() {
    return formats;
  }

  /**
   * A new composition of frozen base models on {@code engine}: the strategy's new parameters from
   * {@code seed}, trainable; the bases' weights frozen.
   *
   * @param strategy a composition strategy's name ({@code calm}, {@code lora}, a plugin's)
   * @param anchor the anchor model directory (its head and vocabulary are kept)
   * @param augments augmenting model directories (possibly none, e.g. for LoRA)
   * @param options the strategy's options by name
   * @throws IllegalArgumentException for an unknown strategy (listing the known ones), bases with
   *     different tokenizers, or a bad option
   */
  public LoadedModel compose(Engine engine, String strategy, Path anchor, List<Path> augments, Map<String, String> options, long seed)
      throws IOException {
    CompositionStrategy s = composition(strategy);
    return dev.tandem.api.compose.Compositions.create(engine, s, dev.tandem.api.compose.Compositions.loadBases(anchor, augments), options, seed);
  }

  /**
   * The sequence examples of a JSONL file ({@code prompt}/{@code completion}, {@code messages} or
   * {@code text} records), tokenized with {@code model}'s tokenizer and chat template; those longer
   * than its context go to {@code skips} (a strict report makes them an error naming the line).
   */
  public List<Example> examples(LoadedModel model, Path jsonl, SkipReport skips) throws IOException {
    return JsonlDataset.toExamples(JsonlDataset.read(jsonl), new PromptTemplate(model.tokenizer()), model.config().nPositions(), skips);
  }

  /**
   * The preference pairs of a JSONL file ({@code prompt}/{@code chosen}/{@code rejected} records),
   * tokenized for {@code model}; pairs longer than its context go to {@code skips}.
   */
  public List<PreferencePair> preferencePairs(LoadedModel model, Path jsonl, SkipReport skips) throws IOException {
    return PreferencePair.fromRecords(JsonlDataset.read(jsonl), new PromptTemplate(model.tokenizer()), model.config().nPositions(), skips);
  }

  /** Batches of {@code batchSize} sequences padded to {@code model}'s length buckets. */
  public Batcher batcher(LoadedModel model, int batchSize) {
    return new Batcher(batchSize, Batcher.defaultBuckets(model.config().nPositions()), model.tokenizer().padId());
  }

  /**
   * Evaluates {@code model} on a JSONL file: mean NLL per completion token and greedy exact match
   * (examples that do not fit the context are skipped).
   *
   * @throws IllegalArgumentException if the file holds no usable example
   */
  public Evaluation.Result evaluate(Engine engine, LoadedModel model, Path jsonl, int batchSize) throws IOException {
    return evaluate(engine, model, usable(examples(model, jsonl, SkipReport.collecting()), jsonl), batchSize, true);
  }

  /**
   * Evaluates {@code model} on examples already read (e.g. by {@link #examples}).
   *
   * @param exactMatch also measure greedy exact match (it generates, which costs far more)
   */
  public Evaluation.Result evaluate(Engine engine, LoadedModel model, List<Example> examples, int batchSize, boolean exactMatch) {
    return Evaluation.run(engine, model.model(), model.params(), model.tokenizer(), examples, batcher(model, batchSize), batchSize, exactMatch);
  }

  /** Generates a completion of {@code prompt} (put in the model's chat template) and decodes it. */
  public String generate(Engine engine, LoadedModel model, String prompt, SamplingConfig sampling) {
    return generate(engine, model, List.of(prompt), sampling, false).get(0);
  }

  /**
   * Generates a completion for each prompt, batched with a KV cache, and decodes them.
   *
   * @param raw encode the prompts as they are instead of in the model's chat template
   */
  public List<String> generate(Engine engine, LoadedModel model, List<String> prompts, SamplingConfig sampling, boolean raw) {
    Tokenizer tok = model.tokenizer();
    PromptTemplate template = new PromptTemplate(tok);
    List<int[]> ids = prompts.stream().map(p -> raw ? tok.encode(p) : template.promptTokens(p)).toList();
    try (Generator g = new Generator(engine, model.model(), model.params(), tok.eosId(), tok.padId(), tok.vocabSize())) {
      return g.generate(ids, sampling, Math.max(1, Math.min(ids.size(), 32))).stream().map(tok::decode).toList();
    }
  }

  private static <T> List<T> usable(List<T> items, Path file) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException(file + ": no usable examples");
    }
    return items;
  }

  /**
   * All experiments by name (plugins' {@link Experiment}s, found through {@link ServiceLoader} on
   * the module path and in the jars on the plugin path), in name order.
   *
   * @throws IllegalStateException if two experiments of different classes claim one name
   */
  public Map<String, Experiment> experiments() {
    Map<String, Experiment> out = new java.util.TreeMap<>();
    for (Experiment e : experiments) {
      Experiment other = out.putIfAbsent(e.name(), e);
      if (other != null && other.getClass() != e.getClass()) {
        throw new IllegalStateException(
            "experiment name '" + e.name() + "' is claimed by " + origin(other.getClass()) + " and " + origin(e.getClass()) + ": each experiment needs its own name");
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /** The experiment with this name; the error lists the known ones. */
  public Experiment experiment(String name) {
    return Named.get(experiments(), "experiment", name);
  }

  /**
   * All workflows by name (plugins' {@link Workflow}s such as SPIN's self-play loop, from the module
   * path and the plugin path).
   */
  public Map<String, Workflow> workflows() {
    Map<String, Workflow> out = new java.util.TreeMap<>();
    workflows.forEach(w -> out.putIfAbsent(w.name(), w));
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * The workflow with this name; the error lists the known ones, or says that no plugin provides
   * one (e.g. {@code spin} without spin-module on the module path).
   */
  public Workflow workflow(String name) {
    Map<String, Workflow> all = workflows();
    if (all.isEmpty()) {
      throw new IllegalArgumentException("unknown workflow '" + name + "': no plugin on the module path provides a workflow");
    }
    return Named.get(all, "workflow", name);
  }

  /** The tokenizer given to new models. */
  public Tokenizer tokenizer() {
    return injector.getInstance(Tokenizer.class);
  }

  /**
   * The listener bound for training (default: one that ignores everything); every trainer from
   * {@link #trainer} reports to it.
   */
  public TrainingListener trainingListener() {
    return injector.getInstance(TrainingListener.class);
  }

  /**
   * A trainer for {@code model} that reports to the bound {@link #trainingListener()} (add more
   * with {@link Trainer#addListener}); checkpoints and the final model are written with the
   * model's own {@link LoadedModel#writer()}.
   *
   * @param model loaded with {@code trainable = true} (e.g. by {@link #loadModel})
   * @param seed recorded in the trainer state
   * @param output the run directory: {@code metrics.jsonl}, checkpoints, the final model
   */
  public Trainer trainer(
      Engine engine, LoadedModel model, Objective objective, Optimizer optimizer, TrainerConfig config, long seed, Path output) {
    return new Trainer(engine, model.model(), model.params(), objective, optimizer, config, seed, output, model.writer())
        .addListener(trainingListener());
  }

  /** Builds a {@link Tandem}: discovery on by default, explicit registration for tests. */
  public static final class Builder {
    private boolean discover = true;
    private final List<EngineProvider> engines = new ArrayList<>();
    private final List<Objective> objectives = new ArrayList<>();
    private final List<CompositionStrategy> compositions = new ArrayList<>();
    private final List<Experiment> experiments = new ArrayList<>();
    private final List<Module> modules = new ArrayList<>();
    private final List<Module> overrides = new ArrayList<>();
    private List<Path> pluginPath;

    /** Whether to add what {@link ServiceLoader} finds (default true). */
    public Builder discover(boolean on) {
      this.discover = on;
      return this;
    }

    /**
     * The plugin path: jars (or directories of jars) each loaded into a module layer of its own
     * when discovery is on ({@link PluginLayers}); by default {@link PluginLayers#configuredPath()}.
     */
    public Builder pluginPath(List<Path> path) {
      this.pluginPath = List.copyOf(path);
      return this;
    }

    /** Registers an engine explicitly. */
    public Builder engine(EngineProvider provider) {
      engines.add(provider);
      return this;
    }

    /** Registers an objective explicitly. */
    public Builder objective(Objective objective) {
      objectives.add(objective);
      return this;
    }

    /** Registers a composition strategy explicitly (for tests and embedders without discovery). */
    public Builder composition(CompositionStrategy strategy) {
      compositions.add(strategy);
      return this;
    }

    /** Registers an experiment explicitly. */
    public Builder experiment(Experiment experiment) {
      experiments.add(experiment);
      return this;
    }

    /** Adds a module (e.g. a plugin's) to the injector. */
    public Builder module(Module module) {
      modules.add(module);
      return this;
    }

    /** Replaces bindings of the framework and plugins ({@link Modules#override}). */
    public Builder override(Module module) {
      overrides.add(module);
      return this;
    }

    public Tandem build() {
      List<EngineProvider> e = new ArrayList<>(engines);
      List<Objective> o = new ArrayList<>(objectives);
      List<CompositionStrategy> c = new ArrayList<>(compositions);
      List<Experiment> x = new ArrayList<>(experiments);
      List<Workflow> w = new ArrayList<>();
      List<Module> all = new ArrayList<>();
      PluginLayers plugins = PluginLayers.NONE;
      List<PluginLayers.Broken> broken = new ArrayList<>();
      if (discover) {
        w.addAll(PluginLayers.boot(Workflow.class, broken));
        x.addAll(PluginLayers.boot(Experiment.class, broken));
        ServiceLoader.load(EngineProvider.class).forEach(e::add);
        o.addAll(PluginLayers.boot(Objective.class, broken));
        c.addAll(PluginLayers.boot(CompositionStrategy.class, broken));
        for (TandemPlugin p : PluginLayers.boot(TandemPlugin.class, broken)) {
          all.add(p.module());
        }
        plugins = PluginLayers.load(pluginPath != null ? pluginPath : PluginLayers.configuredPath());
        broken.addAll(plugins.broken());
      }
      List<PluginLayers.Plugin> loaded = new ArrayList<>(plugins.loaded());
      // a plugin's experiment, workflow or strategy whose name is taken (by Tandem's or an earlier plugin's) is skipped
      List<PluginLayers.Plugin> taken = new ArrayList<>();
      taken.addAll(PluginLayers.clashes("experiment", PluginLayers.claims(Experiment.class, x, loaded, Experiment::name), loaded, broken));
      loaded.removeAll(taken);
      taken.addAll(PluginLayers.clashes("workflow", PluginLayers.claims(Workflow.class, w, loaded, Workflow::name), loaded, broken));
      loaded.removeAll(taken);
      taken.addAll(PluginLayers.clashes("composition strategy", PluginLayers.claims(CompositionStrategy.class, c, loaded, CompositionStrategy::name), loaded, broken));
      loaded.removeAll(taken);
      Injector injector = injector(e, o, c, all, loaded);
      // a plugin's objective whose name is taken (by Tandem's or an earlier plugin's) is skipped
      List<PluginLayers.Plugin> clashing = PluginLayers.clashes(objectiveClaims(injector), loaded, broken);
      if (!clashing.isEmpty()) {
        loaded.removeAll(clashing);
        injector = injector(e, o, c, all, loaded);
      }
      PluginLayers.warn(broken);
      for (PluginLayers.Plugin p : loaded) {
        x.addAll(p.of(Experiment.class));
        w.addAll(p.of(Workflow.class));
      }
      List<ModelFamily> families = new ArrayList<>();
      families.add(new GptFamily());
      List<TokenizerProvider> tokenizers = new ArrayList<>();
      if (discover) {
        for (ModelFamily f : PluginLayers.boot(ModelFamily.class, broken)) {
          if (!(f instanceof GptFamily)) {
            families.add(f);
          }
        }
        tokenizers.addAll(PluginLayers.boot(TokenizerProvider.class, broken));
        for (PluginLayers.Plugin p : loaded) {
          families.addAll(p.of(ModelFamily.class));
          tokenizers.addAll(p.of(TokenizerProvider.class));
        }
      }
      return new Tandem(injector, broken, x, w, new ModelFormats(families, tokenizers));
    }

    private Injector injector(List<EngineProvider> e, List<Objective> o, List<CompositionStrategy> c, List<Module> discovered, List<PluginLayers.Plugin> plugins) {
      List<Objective> objs = new ArrayList<>(o);
      List<Module> all = new ArrayList<>(discovered);
      List<CompositionStrategy> strategies = new ArrayList<>(c);
      for (PluginLayers.Plugin p : plugins) {
        objs.addAll(p.objectives());
        strategies.addAll(p.of(CompositionStrategy.class));
        all.addAll(p.modules());
      }
      all.add(0, new CoreModule(e, objs, strategies));
      all.addAll(modules);
      Module root = overrides.isEmpty() ? Modules.combine(all) : Modules.override(all).with(overrides);
      return Guice.createInjector(root);
    }
  }
}
