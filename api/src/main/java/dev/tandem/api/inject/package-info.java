/**
 * The top of the api: the {@link dev.tandem.api.inject.Tandem} facade for commands and embedders,
 * Guice assembly, plugin loading (each plugin jar in a module layer of its own), and the SPIs that
 * run on the facade: end-to-end {@link dev.tandem.api.inject.Experiment}s that {@code tandem demo}
 * finds and runs, and training {@link dev.tandem.api.inject.Workflow}s (SPIN's self-play loop)
 * that a CLI command reaches, both through {@link java.util.ServiceLoader}.
 */
package dev.tandem.api.inject;
