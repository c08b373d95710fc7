package io.dsmigrate.job;

import io.dsmigrate.job.fs.NioLocalFileSystem;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the SparkSession a dsmigrate process works in: Delta Lake on, Spark's Hive client on, and
 * (unless Spark is told otherwise) a local warehouse and an embedded Derby metastore under the
 * workdir, and local files read and written through {@link NioLocalFileSystem}. Settings given to
 * spark-submit win over dsmigrate's defaults.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession create(Settings settings, String appName) {
    SparkConf given = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (!given.contains("spark.master")) {
      builder.master(settings.sparkMaster());
    }
    setDefault(builder, given, "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    setDefault(
        builder,
        given,
        "spark.sql.catalog.spark_catalog",
        "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    setDefault(
        builder,
        given,
        "spark.sql.warehouse.dir",
        settings.workdir().resolve("warehouse").toUri().toString());
    boolean remoteMetastore =
        settings.sparkConf().containsKey("spark.hadoop.hive.metastore.uris")
            || given.contains("spark.hadoop.hive.metastore.uris")
            || given.contains("spark.hadoop.javax.jdo.option.ConnectionURL");
    if (settings.hive() && !remoteMetastore) {
      // Derby writes derby.log into the working directory unless told where its home is.
      System.setProperty("derby.system.home", settings.workdir().toString());
      setDefault(
          builder,
          given,
          "spark.hadoop.javax.jdo.option.ConnectionURL",
          "jdbc:derby:;databaseName="
              + settings.workdir().resolve("metastore_db")
              + ";create=true");
    }
    for (Map.Entry<String, String> entry : settings.sparkConf().entrySet()) {
      setDefault(builder, given, entry.getKey(), entry.getValue());
    }
    // Local files without a chmod or readlink process per file (Spark's Hadoop client has no
    // native library), unless told otherwise.
    NioLocalFileSystem.SETTINGS.forEach(
        (key, value) -> {
          if (!settings.sparkConf().containsKey("spark.hadoop." + key)) {
            setDefault(builder, given, "spark.hadoop." + key, value);
          }
        });
    if (settings.hive()) {
      builder.enableHiveSupport();
    }
    SparkSession spark = builder.getOrCreate();
    return spark;
  }

  private static void setDefault(
      SparkSession.Builder builder, SparkConf given, String key, String value) {
    if (!given.contains(key)) {
      builder.config(key, value);
    }
  }
}
