/**
 * What plugins contribute beyond objectives and compositions: end-to-end {@link
 * dev.tandem.api.experiment.Experiment}s that {@code tandem demo} finds and runs, and training
 * {@link dev.tandem.api.experiment.Workflow}s (SPIN's self-play loop) that a CLI command reaches,
 * both through {@link java.util.ServiceLoader}.
 */
package dev.tandem.api.experiment;
