/** The CALM paper's key-value arithmetic experiment as an {@link dev.tandem.api.experiment.Experiment}. */
package dev.tandem.calm.demo;
