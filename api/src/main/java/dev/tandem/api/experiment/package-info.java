/**
 * The experiment SPI: end-to-end experiments that plugins contribute and {@code tandem demo} finds
 * through {@link java.util.ServiceLoader}.
 */
package dev.tandem.api.experiment;
