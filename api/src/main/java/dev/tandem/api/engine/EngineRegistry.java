package dev.tandem.api.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The engines known to this process: those found through {@link ServiceLoader}, or an explicit list
 * (for tests and embedders). Selection order: the name asked for, else the {@code TANDEM_ENGINE}
 * environment variable, else the available engine with the lowest rank.
 */
public final class EngineRegistry {
  /** The environment variable that names the default engine. */
  public static final String ENV = "TANDEM_ENGINE";

  private final List<EngineProvider> providers;

  /** A registry over exactly these providers. */
  public EngineRegistry(List<EngineProvider> providers) {
    List<EngineProvider> sorted = new ArrayList<>(providers);
    sorted.sort(Comparator.comparingInt(EngineProvider::rank).thenComparing(EngineProvider::name));
    this.providers = List.copyOf(sorted);
  }

  /** A registry over the providers visible to this module's {@link ServiceLoader}. */
  public static EngineRegistry fromServiceLoader() {
    List<EngineProvider> found = new ArrayList<>();
    ServiceLoader.load(EngineProvider.class).forEach(found::add);
    return new EngineRegistry(found);
  }

  /** All providers, by rank. */
  public List<EngineProvider> providers() {
    return providers;
  }

  /** The provider with this name, if any. */
  public Optional<EngineProvider> find(String name) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /**
   * Chooses a provider.
   *
   * @param requested the name from {@code --engine}, or null
   * @param env the environment (normally {@link System#getenv()})
   * @throws EngineUnavailableException naming the engines known and why the chosen one cannot run
   */
  public EngineProvider select(String requested, Map<String, String> env) {
    String name = requested != null && !requested.isBlank() ? requested : env.get(ENV);
    if (name != null && !name.isBlank()) {
      EngineProvider p =
          find(name)
              .orElseThrow(
                  () ->
                      new EngineUnavailableException(
                          "unknown engine '" + name + "', known: " + names()));
      Availability a = p.availability();
      if (!a.available()) {
        throw new EngineUnavailableException("engine '" + name + "' is unavailable: " + a.reason());
      }
      return p;
    }
    for (EngineProvider p : providers) {
      if (p.availability().available()) {
        return p;
      }
    }
    if (providers.isEmpty()) {
      throw new EngineUnavailableException(
          "no engine found: put an engine module (e.g. tandem-engine-djl) on the module path");
    }
    String why =
        providers.stream()
            .map(p -> p.name() + ": " + p.availability().reason())
            .collect(Collectors.joining("; "));
    throw new EngineUnavailableException("no engine is available (" + why + ")");
  }

  /** Selects and creates an engine. */
  public Engine create(String requested, EngineOptions options) {
    return select(requested, System.getenv()).create(options);
  }

  private String names() {
    return providers.isEmpty()
        ? "(none)"
        : providers.stream().map(EngineProvider::name).collect(Collectors.joining(", "));
  }
}
