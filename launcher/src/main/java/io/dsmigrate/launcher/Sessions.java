package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** The launcher's SparkSession: the job's local default, started once per process. */
final class Sessions {
  private Sessions() {}

  static SparkSession start(Settings settings, String command) {
    SparkSession spark = SparkSessions.create(settings, "dsmigrate " + command);
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
