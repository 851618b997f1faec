/** The CALM paper's key-value arithmetic experiment as an {@link dev.tandem.api.inject.Experiment}. */
package dev.tandem.calm.demo;
