package dev.tandem.api.inject;

import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.Message;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.Workflow;
import dev.tandem.api.objective.Objective;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * Plugin jars, each loaded into a {@link ModuleLayer} of its own above the boot layer, so that a
 * broken one breaks only itself. The plugin path lists jars, or directories whose jars are each a
 * plugin; it is the system property {@value #PROPERTY}, else the environment variable {@value #ENV}
 * (entries separated by {@link File#pathSeparator}).
 *
 * <p>A jar is skipped, and listed by {@link #broken()} with its path and the reason, when its
 * classes are newer than this Java, its module does not resolve against the boot layer (a bad
 * descriptor, a missing {@code requires}), a provider fails to load, link or construct (a
 * constructor that throws; an {@code AbstractMethodError} from {@code name()} because it was built
 * against another tandem-api, which the reason names when the jar says which: the manifest
 * attribute {@value #API_VERSION_ATTRIBUTE}, else the version its {@code requires dev.tandem.api}
 * was compiled against), or the name of one of its objectives, experiments, workflows or
 * composition strategies is taken by Tandem's own or an earlier plugin's ({@link Tandem} checks
 * that; the reason names both). Each skipped jar is reported once per JVM on standard error as
 * {@code warning: plugin JAR skipped: REASON}.
 *
 * <p>Plugins contribute {@link Objective}s, {@link Experiment}s, {@link Workflow}s, {@link
 * CompositionStrategy}s and {@link TandemPlugin} modules ({@code provides} in their {@code
 * module-info}, or {@code META-INF/services} in a jar without one), each found and checked the
 * same way. One jar is one module: it may require the boot layer's modules (Tandem's, Guice, ...),
 * not other plugin jars. Engines come from the boot layer only.
 */
public final class PluginLayers {
  /** The system property holding the plugin path. */
  public static final String PROPERTY = "tandem.plugin.path";

  /** The environment variable holding the plugin path when the property is not set. */
  public static final String ENV = "TANDEM_MODULE_PATH";

  /** The manifest attribute in which a plugin jar says which tandem-api version it was built against. */
  public static final String API_VERSION_ATTRIBUTE = "Tandem-Api-Version";

  /** No plugins. */
  static final PluginLayers NONE = new PluginLayers(List.of(), List.of());

  private static final Map<List<Path>, PluginLayers> LOADED = new HashMap<>();
  private static final Set<String> WARNED = new LinkedHashSet<>();

  /** A plugin jar that was skipped, and why. */
  public record Broken(Path jar, String reason) {
    /** The line printed on standard error: {@code warning: plugin JAR skipped: REASON}. */
    public String warning() {
      return "warning: plugin " + jar + " skipped: " + reason;
    }
  }

  /** The services a plugin jar may provide, besides {@link TandemPlugin} modules; each is probed the same way. */
  static final List<Class<?>> SERVICES = List.of(Objective.class, Experiment.class, Workflow.class, CompositionStrategy.class);

  /** What a plugin jar must provide at least one of: {@link #SERVICES} and {@link TandemPlugin} (engines come from the module path only). */
  static final List<String> PLUGIN_SERVICES = List.of(Objective.class.getName(), Experiment.class.getName(), Workflow.class.getName(),
      CompositionStrategy.class.getName(), TandemPlugin.class.getName());

  /**
   * A plugin jar that loaded: its layer, its providers of each of {@link #SERVICES} (constructed and
   * probed) and its Guice modules (already checked).
   */
  record Plugin(Path jar, ModuleLayer layer, String apiVersion, Map<Class<?>, List<Object>> services, List<com.google.inject.Module> modules) {
    Plugin {
      services = Map.copyOf(services);
      modules = List.copyOf(modules);
    }

    /** Its objectives. */
    List<Objective> objectives() {
      return of(Objective.class);
    }

    /** Its providers of {@code service} (one of {@link #SERVICES}). */
    <S> List<S> of(Class<S> service) {
      return services.getOrDefault(service, List.of()).stream().map(service::cast).toList();
    }
  }

  private final List<Plugin> loaded;
  private final List<Broken> broken;

  private PluginLayers(List<Plugin> loaded, List<Broken> broken) {
    this.loaded = List.copyOf(loaded);
    this.broken = List.copyOf(broken);
  }

  /** The plugin jars that loaded. */
  List<Plugin> loaded() {
    return loaded;
  }

  /** The plugin jars skipped while loading (name clashes are found later, by {@link Tandem}). */
  public List<Broken> broken() {
    return broken;
  }

  /**
   * The providers of {@code service} ({@link Objective}, {@link Experiment}, {@link Workflow} or
   * {@link CompositionStrategy}) in the jars on the configured plugin path that loaded, in path
   * order, without printing a warning: for callers that need them before building the facade (the
   * CLI's {@code tandem demo NAME} subcommands). {@link Tandem#create()} reports the broken jars and
   * drops those whose names clash, so a command should still take what it runs from the facade.
   */
  public static <S> List<S> configured(Class<S> service) {
    if (!SERVICES.contains(service)) {
      throw new IllegalArgumentException("not a plugin service: " + service.getName());
    }
    List<S> out = new ArrayList<>();
    for (Plugin p : load(configuredPath()).loaded()) {
      out.addAll(p.of(service));
    }
    return out;
  }

  /** The plugin path from {@value #PROPERTY}, else {@value #ENV}; empty when neither is set. */
  public static List<Path> configuredPath() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank()) {
      v = System.getenv(ENV);
    }
    if (v == null || v.isBlank()) {
      return List.of();
    }
    List<Path> path = new ArrayList<>();
    for (String e : v.split(File.pathSeparator)) {
      if (!e.isBlank()) {
        path.add(Path.of(e.strip()));
      }
    }
    return path;
  }

  /** The version of this tandem-api: its module's version, else its package's, else {@code unknown}. */
  public static String apiVersion() {
    Module m = PluginLayers.class.getModule();
    Optional<String> v = m.isNamed() && m.getDescriptor() != null ? m.getDescriptor().rawVersion() : Optional.empty();
    if (v.isPresent()) {
      return v.get();
    }
    String p = PluginLayers.class.getPackage().getImplementationVersion();
    return p == null ? "unknown" : p;
  }

  /**
   * Loads the plugins on {@code path}, once per JVM and path: the layers (and so the classes) are
   * shared by every {@link Tandem} built with the same path.
   */
  static synchronized PluginLayers load(List<Path> path) {
    if (path.isEmpty()) {
      return NONE;
    }
    return LOADED.computeIfAbsent(List.copyOf(path), PluginLayers::loadNow);
  }

  /** Prints each broken plugin's warning on standard error, once per JVM. */
  static void warn(List<Broken> broken) {
    synchronized (WARNED) {
      for (Broken b : broken) {
        if (WARNED.add(b.warning())) {
          System.err.println(b.warning());
          System.err.flush();
        }
      }
    }
  }

  private static PluginLayers loadNow(List<Path> path) {
    List<Plugin> loaded = new ArrayList<>();
    List<Broken> broken = new ArrayList<>();
    for (Path entry : path) {
      if (Files.isDirectory(entry)) {
        try (Stream<Path> files = Files.list(entry)) {
          for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
            loadJar(jar, loaded, broken);
          }
        } catch (IOException e) {
          broken.add(new Broken(entry, "cannot list the directory: " + e));
        }
      } else if (Files.isRegularFile(entry)) {
        loadJar(entry, loaded, broken);
      } else {
        broken.add(new Broken(entry, "no such file or directory"));
      }
    }
    return new PluginLayers(loaded, broken);
  }

  private static void loadJar(Path jar, List<Plugin> loaded, List<Broken> broken) {
    String builtAgainst = null;
    try {
      builtAgainst = manifestApiVersion(jar);
      String tooNew = newestClassFile(jar);
      if (tooNew != null) {
        broken.add(new Broken(jar, tooNew));
        return;
      }
      ModuleFinder finder = ModuleFinder.of(jar);
      Set<ModuleReference> refs = finder.findAll();
      if (refs.size() != 1) {
        broken.add(new Broken(jar, "not a module jar (" + refs.size() + " modules found)"));
        return;
      }
      ModuleDescriptor descriptor = refs.iterator().next().descriptor();
      if (builtAgainst == null) {
        builtAgainst = descriptor.requires().stream().filter(r -> r.name().equals("dev.tandem.api"))
            .findFirst().flatMap(ModuleDescriptor.Requires::rawCompiledVersion).orElse(null);
      }
      ModuleLayer boot = ModuleLayer.boot();
      Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(descriptor.name()));
      ModuleLayer layer = boot.defineModulesWithOneLoader(cf, PluginLayers.class.getClassLoader());
      List<String> problems = new ArrayList<>();
      String version = builtAgainst;
      Map<Class<?>, List<Object>> services = new HashMap<>();
      for (Class<?> service : SERVICES) {
        List<Object> ok = new ArrayList<>();
        for (Object o : providers(layer, service, problems, version)) {
          String p = probe(o, version);
          if (p != null) {
            problems.add(p);
          } else {
            ok.add(o);
          }
        }
        services.put(service, List.copyOf(ok));
      }
      List<com.google.inject.Module> modules = new ArrayList<>();
      for (TandemPlugin tp : providers(layer, TandemPlugin.class, problems, version)) {
        try {
          List<Element> elements = Elements.getElements(tp.module());
          Optional<Message> error = elements.stream().filter(Message.class::isInstance).map(Message.class::cast).findFirst();
          if (error.isPresent()) {
            problems.add(tp.getClass().getName() + "'s module fails: " + error.get().getMessage());
          } else {
            modules.add(Elements.getModule(elements));
          }
        } catch (LinkageError | RuntimeException e) {
          problems.add(describe(e, tp.getClass().getName(), version));
        }
      }
      if (!problems.isEmpty()) {
        broken.add(new Broken(jar, String.join("; ", problems)));
      } else if (descriptor.provides().stream().noneMatch(p -> PLUGIN_SERVICES.contains(p.service()))) {
        broken.add(new Broken(jar, "provides no Tandem service (" + String.join(", ", PLUGIN_SERVICES) + ")"));
      } else {
        loaded.add(new Plugin(jar, layer, builtAgainst, services, modules));
      }
    } catch (LinkageError | RuntimeException | IOException e) {
      broken.add(new Broken(jar, describe(e, null, builtAgainst)));
    }
  }

  /**
   * The plugins whose objective claims a name that Tandem's own modules (or an earlier plugin on the
   * path) already claim; each is added to {@code broken} naming the objective and who has it.
   */
  static List<Plugin> clashes(Map<String, Set<Objective>> claims, List<Plugin> loaded, List<Broken> broken) {
    return clashes("objective", claims, loaded, broken);
  }

  /**
   * The claims on names of one kind of provider ({@code service}): Tandem's own ({@code own}, from
   * the boot layer or given to the builder) first, then each loaded plugin's in path order.
   */
  static <S> Map<String, Set<Object>> claims(Class<S> service, List<? extends S> own, List<Plugin> loaded, java.util.function.Function<S, String> name) {
    Map<String, Set<Object>> claims = new java.util.LinkedHashMap<>();
    List<S> all = new ArrayList<>(own);
    for (Plugin p : loaded) {
      all.addAll(p.of(service));
    }
    for (S s : all) {
      claims.computeIfAbsent(name.apply(s), k -> new LinkedHashSet<>()).add(s);
    }
    return claims;
  }

  /**
   * As {@link #clashes(Map, List, List)} for any {@code kind} of provider ({@code experiment},
   * {@code workflow}, {@code composition strategy}): the plugins whose provider claims a name taken
   * before them, each added to {@code broken} naming both.
   */
  static List<Plugin> clashes(String kind, Map<String, ? extends Collection<?>> claims, List<Plugin> loaded, List<Broken> broken) {
    List<Plugin> out = new ArrayList<>();
    for (Map.Entry<String, ? extends Collection<?>> claim : new java.util.TreeMap<>(claims).entrySet()) {
      List<Object> claimants = new ArrayList<>(claim.getValue());
      if (claimants.stream().map(Object::getClass).distinct().count() < 2) {
        continue;
      }
      // Tandem's own first, then plugins in path order
      claimants.sort(java.util.Comparator.comparingInt(o -> owner(o, loaded) == null ? -1 : loaded.indexOf(owner(o, loaded))));
      Object winner = claimants.get(0);
      Plugin winnerPlugin = owner(winner, loaded);
      String who = winner.getClass().getName() + (winnerPlugin != null ? " from plugin " + winnerPlugin.jar()
          : winner.getClass().getModule().isNamed() ? " (module " + winner.getClass().getModule().getName() + ")" : " (class path)");
      for (Object o : claimants) {
        Plugin p = owner(o, loaded);
        if (p != null && o.getClass() != winner.getClass() && !out.contains(p)) {
          out.add(p);
          broken.add(new Broken(p.jar(), kind + " '" + claim.getKey() + "' (" + o.getClass().getName() + ") is already provided by " + who));
        }
      }
    }
    return out;
  }

  private static Plugin owner(Object o, List<Plugin> loaded) {
    ModuleLayer layer = o.getClass().getModule().getLayer();
    for (Plugin p : loaded) {
      if (p.layer() == layer) {
        return p;
      }
    }
    return null;
  }

  /**
   * The boot layer's (and class path's) providers of {@code service}, as {@link ServiceLoader#load(Class)}
   * finds them, except those that fail to load or construct (and, for objectives, whose {@code
   * name()} and friends fail to link): each of those is added to {@code broken} under its jar, so
   * that a broken jar an application put on its own module path breaks only itself too.
   */
  static <S> List<S> boot(Class<S> service, List<Broken> broken) {
    List<S> found = new ArrayList<>();
    Spliterator<ServiceLoader.Provider<S>> it = ServiceLoader.load(service).stream().spliterator();
    Consumer<ServiceLoader.Provider<S>> take = p -> {
      Path jar = jarOf(p.type());
      String version = null;
      try {
        version = Files.isRegularFile(jar) ? manifestApiVersion(jar) : null;
      } catch (IOException | RuntimeException e) {
        // no version to name
      }
      try {
        S s = p.get();
        String problem = probe(s, version);
        if (problem != null) {
          broken.add(new Broken(jar, problem));
        } else {
          found.add(s);
        }
      } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
        broken.add(new Broken(jar, describe(e, p.type().getName(), version)));
      }
    };
    for (int guard = 0; guard < 10_000; guard++) {
      try {
        if (!it.tryAdvance(take)) {
          break;
        }
      } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
        broken.add(new Broken(Path.of("(module or class path)"), describe(e, null, null)));
      }
    }
    return found;
  }

  private static Path jarOf(Class<?> c) {
    try {
      var source = c.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) {
        return Path.of(source.getLocation().toURI());
      }
    } catch (RuntimeException | java.net.URISyntaxException e) {
      // fall through
    }
    return Path.of(c.getModule().isNamed() ? "module " + c.getModule().getName() : "(class path)");
  }

  /** The providers of {@code service} in {@code layer} itself (not its parents), each load or construction failure noted. */
  private static <S> List<S> providers(ModuleLayer layer, Class<S> service, List<String> problems, String version) {
    List<S> found = new ArrayList<>();
    Spliterator<ServiceLoader.Provider<S>> it = ServiceLoader.load(layer, service).stream().spliterator();
    Consumer<ServiceLoader.Provider<S>> take = p -> {
      if (p.type().getModule().getLayer() != layer) {
        return; // the boot layer's, found the usual way
      }
      try {
        found.add(p.get());
      } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
        problems.add(describe(e, p.type().getName(), version));
      }
    };
    for (int guard = 0; guard < 10_000; guard++) {
      try {
        if (!it.tryAdvance(take)) {
          break;
        }
      } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
        problems.add(describe(e, null, version));
      }
    }
    return found;
  }

  /**
   * Calls the methods the registries and listings call on a provider of one of {@link #SERVICES}
   * (its name, description, options, ...); null if they work (or it is of none of them), else the
   * reason.
   */
  private static String probe(Object s, String version) {
    try {
      String name;
      if (s instanceof Objective o) {
        name = o.name();
        o.inputLayout();
        o.options();
        o.needsReference();
      } else if (s instanceof Experiment x) {
        name = x.name();
        x.description();
        x.options();
        x.reports();
      } else if (s instanceof Workflow w) {
        name = w.name();
        w.description();
        w.objective();
        w.options();
        w.trainingDefaults();
      } else if (s instanceof CompositionStrategy c) {
        name = c.name();
        c.options();
      } else {
        return null;
      }
      if (name == null || name.isBlank()) {
        return s.getClass().getName() + ".name() is empty";
      }
      return null;
    } catch (LinkageError | RuntimeException e) {
      return describe(e, s.getClass().getName(), version);
    }
  }

  /** One line: what failed, prefixed with the api versions when it is a linkage error and the jar says which it was built against. */
  static String describe(Throwable e, String className, String builtAgainst) {
    Throwable cause = e;
    if (e instanceof ServiceConfigurationError && e.getCause() != null) {
      cause = e.getCause();
    }
    while (cause.getCause() != null && cause.getCause() != cause
        && (cause instanceof java.lang.reflect.InvocationTargetException || cause instanceof ExceptionInInitializerError)) {
      cause = cause.getCause();
    }
    String what = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage().strip().replace('\n', ' '));
    if (e instanceof ServiceConfigurationError && e.getCause() != null && e.getMessage() != null && e.getMessage().contains("could not be instantiated")) {
      what = what + " (in the constructor of " + (className != null ? className : "its provider") + ")";
    } else if (e instanceof ServiceConfigurationError && e.getCause() == null) {
      what = e.getMessage();
    } else if (className != null && !what.contains(className)) {
      what = what + " (in " + className + ")";
    }
    boolean linkage = cause instanceof LinkageError && !(cause instanceof UnsupportedClassVersionError);
    if (linkage) {
      String mine = apiVersion();
      if (builtAgainst != null && !builtAgainst.equals(mine)) {
        return "built against tandem-api " + builtAgainst + ", this is " + mine + ": " + what;
      }
      if (builtAgainst == null) {
        return what + " (built against another tandem-api? this is " + mine + ")";
      }
    }
    return what;
  }

  private static String manifestApiVersion(Path jar) throws IOException {
    try (JarFile f = new JarFile(jar.toFile())) {
      var m = f.getManifest();
      return m == null ? null : m.getMainAttributes().getValue(API_VERSION_ATTRIBUTE);
    }
  }

  /** A reason if a class in the jar is newer than this Java can load (multi-release versions aside), else null. */
  private static String newestClassFile(Path jar) throws IOException {
    int feature = Runtime.version().feature();
    int newest = 0;
    try (JarFile f = new JarFile(jar.toFile())) {
      Enumeration<? extends ZipEntry> entries = f.entries();
      while (entries.hasMoreElements()) {
        ZipEntry z = entries.nextElement();
        if (!z.getName().endsWith(".class") || z.getName().startsWith("META-INF/versions/")) {
          continue;
        }
        try (InputStream in = f.getInputStream(z)) {
          byte[] head = in.readNBytes(8);
          if (head.length == 8 && (head[0] & 0xff) == 0xca && (head[1] & 0xff) == 0xfe) {
            newest = Math.max(newest, ((head[6] & 0xff) << 8) | (head[7] & 0xff));
          }
        }
      }
    }
    if (newest > feature + 44) {
      return "class file version " + newest + " (Java " + (newest - 44) + ") is newer than this Java " + feature;
    }
    return null;
  }
}
