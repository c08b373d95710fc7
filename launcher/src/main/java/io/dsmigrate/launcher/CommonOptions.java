package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.PauseRequests;
import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/** Options every command takes: where the work lives and how it is configured. */
final class CommonOptions {
  @Option(
      names = "--workdir",
      description =
          "Warehouse, metastore, results, snapshots and plans (default: ./dsmigrate-work).")
  Path workdir;

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
    Map<String, String> all = new LinkedHashMap<>(overrides);
    if (workdir != null) {
      all.put("dsmigrate.workdir", workdir.toString());
    }
    return Settings.load(conf, all);
  }

  /** The pause requests of the configured control directory (no Spark needed). */
  PauseRequests pauseRequests() {
    return PauseRequests.in(settings().ledger().controlDirectory(), new Configuration());
  }
}
