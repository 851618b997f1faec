package dev.tandem.api.engine;

/** No engine can be selected or created; the message says why in terms a user can act on. */
public class EngineUnavailableException extends RuntimeException {
  public EngineUnavailableException(String message) {
    super(message);
  }

  public EngineUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
