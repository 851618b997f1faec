package dev.tandem.api.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.option.OptionSpec;
import java.util.List;
import java.util.Map;

/**
 * A way of composing frozen base models into one {@link dev.tandem.api.model.CausalLM} with new
 * trainable parameters, written once over the op set so that it runs on every engine.
 *
 * <p>To add one, implement this interface in your own module and register it by {@link #name()}:
 * in a {@link dev.tandem.api.inject.TandemPlugin}'s Guice module with {@link
 * dev.tandem.api.inject.Registries#compositions}, and (for {@link
 * dev.tandem.api.compose.LoadedModel#load(dev.tandem.api.engine.Engine, java.nio.file.Path,
 * boolean)} without the facade) with {@code provides dev.tandem.api.compose.CompositionStrategy
 * with ...}. Implementations are stateless and need a public no-argument constructor.
 */
public interface CompositionStrategy {
  /** The name users select it by ({@code --strategy NAME}) and {@code composition.json} records. */
  String name();

  /**
   * The options {@link #settings} accepts (name, type, default, one line of doc): what {@code tandem
   * strategies} lists and {@code tandem compose --option NAME=VALUE} (or {@code --NAME VALUE}) sets,
   * with no CLI change. {@link #settings} should check the options it is given against these, e.g.
   * with {@link dev.tandem.api.option.OptionValues#parse}. None by default.
   */
  default List<OptionSpec> options() {
    return List.of();
  }

  /**
   * Validates user options against the bases and returns the complete settings that {@link
   * #build} needs (saved as {@code settings} in {@code composition.json}).
   *
   * @param bases the anchor first, then the augmenting models
   * @param options strategy options by name, as typed (e.g. {@code connect_every -> 2}, {@code
   *     rank -> 8}); an option not among {@link #options()} is an error that lists them
   * @throws IllegalArgumentException naming the option or base at fault
   */
  ObjectNode settings(List<BaseModel> bases, Map<String, String> options);

  /**
   * The composition that {@code settings} (from {@link #settings}) describe over these bases.
   *
   * @throws IllegalArgumentException if the settings do not fit the bases
   */
  Composition build(List<BaseModel> bases, JsonNode settings);
}
