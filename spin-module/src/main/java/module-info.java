/**
 * SPIN (Self-Play Fine-Tuning, Chen et al. 2024), DPO and SimPO for Tandem: the preference
 * objectives {@code spin}, {@code dpo} and {@code simpo}, the self-play loop and its small-scale
 * reproduction. Depends on the api only, so it runs on every engine.
 */
module dev.tandem.spin {
  requires transitive dev.tandem.api;
  requires org.knowm.xchart;
  requires java.desktop;

  exports dev.tandem.spin;
  exports dev.tandem.spin.demo;

  provides dev.tandem.api.objective.Objective with
      dev.tandem.spin.SpinObjective,
      dev.tandem.spin.DpoObjective,
      dev.tandem.spin.SimpoObjective;
  provides dev.tandem.api.inject.Workflow with
      dev.tandem.spin.SpinWorkflow;
  provides dev.tandem.api.inject.Experiment with
      dev.tandem.spin.demo.SpinDemo;
}
