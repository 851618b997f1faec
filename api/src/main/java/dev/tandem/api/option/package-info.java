/**
 * Declared hyperparameters of plugins: {@link dev.tandem.api.option.OptionSpec} (name, type,
 * default, one line of doc) and {@link dev.tandem.api.option.OptionValues} (values given by a user,
 * checked and parsed). An objective declares its options through {@link
 * dev.tandem.api.objective.Objective#options()}, a composition strategy through {@link
 * dev.tandem.api.compose.CompositionStrategy#options()}; the CLI sets them with {@code --option NAME=VALUE}
 * and {@code tandem objectives} lists them. This package depends on no other package of the api.
 */
package dev.tandem.api.option;
