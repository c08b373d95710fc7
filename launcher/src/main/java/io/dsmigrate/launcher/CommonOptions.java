package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.PauseRequests;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes: where the work lives and how it is configured. */
final class CommonOptions {
  @Option(
      names = "--workdir",
      description =
          "The ledger, pause requests, snapshots and plans; with the embedded metastore, its"
              + " database, the warehouse and the results (a path or a URI; default:"
              + " dsmigrate.workdir, ./dsmigrate-work).")
  String workdir;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "A HOCON file with dsmigrate settings (see conf/).")
  File conf;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description = "A setting, e.g. -Ddsmigrate.fleet.concurrency=8.")
  Map<String, String> overrides = new LinkedHashMap<>();

  Settings settings() {
    return settings(Map.of());
  }

  /**
   * The settings, with {@code sparkConf} (Spark settings given to spark-submit, which the job will
   * see) on top of {@code dsmigrate.spark.conf}.
   */
  Settings settings(Map<String, String> sparkConf) {
    Map<String, String> all = new LinkedHashMap<>(overrides);
    sparkConf.forEach((key, value) -> all.put("dsmigrate.spark.conf.\"" + key + "\"", value));
    if (workdir != null) {
      all.put("dsmigrate.workdir", workdir);
    }
    return Settings.load(conf, all);
  }

  /** The pause requests of the configured control directory (no Spark needed). */
  PauseRequests pauseRequests() {
    Settings settings = settings();
    return PauseRequests.in(settings.ledger().controlDirectory(), settings.hadoopConfiguration());
  }
}
