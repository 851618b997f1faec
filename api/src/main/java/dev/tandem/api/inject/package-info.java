/** Guice assembly: plugin modules, registries by name and the facade for embedders. */
package dev.tandem.api.inject;
