/**
 * Tandem's engine-neutral core: the tensor SPI, engines, models, data, objectives, optimizers,
 * training, generation and composition. Nothing here depends on a compute engine.
 */
module dev.tandem.api {
  requires transitive com.google.guice;
  requires transitive jakarta.inject;
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.tandem.api.tensor;
  exports dev.tandem.api.engine;
  exports dev.tandem.api.optim;
  exports dev.tandem.api.io;
  exports dev.tandem.api.model;
  exports dev.tandem.api.tokenizer;
  exports dev.tandem.api.data;
  exports dev.tandem.api.objective;
  exports dev.tandem.api.option;
  exports dev.tandem.api.train;
  exports dev.tandem.api.generate;
  exports dev.tandem.api.inject;
  exports dev.tandem.api.compose;
  exports dev.tandem.api.experiment;
  exports dev.tandem.api.bench;

  opens dev.tandem.api.model to com.fasterxml.jackson.databind;
  opens dev.tandem.api.train to com.fasterxml.jackson.databind;
  opens dev.tandem.api.inject to com.google.guice;

  uses dev.tandem.api.engine.EngineProvider;
  uses dev.tandem.api.objective.Objective;
  uses dev.tandem.api.inject.TandemPlugin;
  uses dev.tandem.api.compose.CompositionStrategy;
  uses dev.tandem.api.experiment.Experiment;
  uses dev.tandem.api.experiment.Workflow;
}
