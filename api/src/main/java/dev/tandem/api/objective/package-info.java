/** The Objective SPI and the built-in SFT objective. */
package dev.tandem.api.objective;
