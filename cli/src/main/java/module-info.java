/** The {@code tandem} command line: a client of the {@link dev.tandem.api.inject.Tandem} facade. */
module dev.tandem.cli {
  requires dev.tandem.api;
  requires dev.tandem.spin;
  requires dev.tandem.calm;
  requires info.picocli;
  requires me.tongfei.progressbar;
  requires org.knowm.xchart;
  requires java.desktop;
  requires org.slf4j;

  opens dev.tandem.cli to info.picocli;
  exports dev.tandem.cli;
}
