/**
 * A third-party Tandem plugin: the {@code ipo} preference objective. It reads Tandem's api and
 * nothing else, and offers its objective through {@link java.util.ServiceLoader}.
 */
module org.example.tandem.ipo {
  requires dev.tandem.api;

  exports org.example.tandem.ipo;

  provides dev.tandem.api.objective.Objective with
      org.example.tandem.ipo.IpoObjective;
}
