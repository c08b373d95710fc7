package io.dsmigrate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one local[2] SparkSession of a test JVM, with Delta and Spark's Hive client on an embedded
 * Derby metastore, all under a temporary directory. Starting Spark costs seconds, so every test
 * class of a module shares it; tests keep apart by using their own databases and directories.
 */
public final class SharedSpark {
  private static SparkSession session;
  private static Path home;

  private SharedSpark() {}

  /** The shared session, started on first use. */
  public static synchronized SparkSession session() {
    if (session == null) {
      try {
        home = Files.createTempDirectory("dsmigrate-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.setProperty("derby.system.home", home.resolve("derby").toString());
      // The metastore of a test JVM is thrown away with it: Derby need not force every commit
      // to disk (it still writes it, so a killed process loses nothing), which saves a sync per
      // metastore change.
      System.setProperty("derby.system.durability", "test");
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("dsmigrate-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .config("spark.sql.warehouse.dir", home.resolve("warehouse").toString())
              .config(
                  "spark.hadoop.javax.jdo.option.ConnectionURL",
                  "jdbc:derby:;databaseName=" + home.resolve("metastore_db") + ";create=true")
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .config("spark.databricks.delta.stats.collect", "false")
              .config(localFiles())
              .enableHiveSupport()
              .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  /**
   * The job's sessions read and write local files through its NioLocalFileSystem (no process per
   * file); its tests do too. The validation module's own tests, which do not have it, use Hadoop's.
   */
  private static java.util.Map<String, Object> localFiles() {
    java.util.Map<String, Object> settings = new java.util.HashMap<>();
    try {
      ((java.util.Map<?, ?>)
              Class.forName("io.dsmigrate.job.fs.NioLocalFileSystem")
                  .getField("SETTINGS")
                  .get(null))
          .forEach((key, value) -> settings.put("spark.hadoop." + key, value));
    } catch (ReflectiveOperationException e) {
      // not on the classpath: Hadoop's own
    }
    return settings;
  }

  /** The directory that holds the shared warehouse and metastore. */
  public static synchronized Path home() {
    session();
    return home;
  }
}
