/**
 * The {@code tandem} command line: a client of the {@link dev.tandem.api.inject.Tandem} facade. It
 * requires the api only; plugins (objectives, compositions, experiments, workflows) are found
 * through {@link java.util.ServiceLoader} on the module path.
 */
module dev.tandem.cli {
  requires dev.tandem.api;
  requires info.picocli;
  requires me.tongfei.progressbar;
  requires org.knowm.xchart;
  requires java.desktop;
  requires org.slf4j;

  uses dev.tandem.api.inject.Experiment;
  uses dev.tandem.api.inject.Workflow;

  opens dev.tandem.cli to info.picocli;
  exports dev.tandem.cli;
}
