/**
 * SPIN (Self-Play Fine-Tuning, Chen et al. 2024) and DPO for Tandem: the preference objectives
 * {@code spin} and {@code dpo}, the self-play loop and its small-scale reproduction. Depends on the
 * api only, so it runs on every engine.
 */
module dev.tandem.spin {
  requires transitive dev.tandem.api;

  exports dev.tandem.spin;
  exports dev.tandem.spin.demo;

  opens dev.tandem.spin to com.google.guice;

  provides dev.tandem.api.inject.TandemPlugin with
      dev.tandem.spin.SpinPlugin;
}
