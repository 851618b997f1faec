package dev.tandem.api.engine;

import java.util.List;

/**
 * Whether an engine can run here.
 *
 * @param available true when {@link EngineProvider#create} is expected to succeed
 * @param reason why not, in a sentence a user can act on; empty when available
 * @param devices the devices the engine can use, e.g. {@code ["cpu"]} or {@code ["cpu", "gpu:0"]}
 */
public record Availability(boolean available, String reason, List<String> devices) {
  public Availability {
    reason = reason == null ? "" : reason;
    devices = List.copyOf(devices);
  }

  public static Availability available(List<String> devices) {
    return new Availability(true, "", devices);
  }

  public static Availability unavailable(String reason) {
    return new Availability(false, reason, List.of());
  }
}
