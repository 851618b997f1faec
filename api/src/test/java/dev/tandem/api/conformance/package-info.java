/**
 * The engine conformance suite, shipped in the api test-jar: subclass {@link
 * dev.tandem.api.conformance.EngineConformanceSuite} and implement {@code createEngine()}.
 */
package dev.tandem.api.conformance;
