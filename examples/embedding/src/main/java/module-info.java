/**
 * An application embedding Tandem. It reads the api and nothing engine-specific: the engine is
 * whichever {@code dev.tandem.api.engine.EngineProvider} the module path provides, chosen by
 * {@code TANDEM_ENGINE} or by rank.
 */
module org.example.embedding {
  requires dev.tandem.api;
}
