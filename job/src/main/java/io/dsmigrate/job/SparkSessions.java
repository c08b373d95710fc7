package io.dsmigrate.job;

import io.dsmigrate.job.fs.Locations;
import io.dsmigrate.job.fs.NioLocalFileSystem;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the SparkSession a dsmigrate process works in: Delta Lake on, Spark's Hive client on; when
 * no metastore is named, an embedded Derby metastore and a warehouse under the workdir (otherwise
 * the cluster's warehouse); local files read and written through {@link NioLocalFileSystem}; and
 * the session's default file system as the one paths without a scheme are on ({@link Locations}).
 * Settings given to spark-submit win over dsmigrate's defaults.
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
    settings
        .defaultWarehouse()
        .ifPresent(warehouse -> setDefault(builder, given, "spark.sql.warehouse.dir", warehouse));
    if (settings.embeddedMetastore()) {
      java.nio.file.Path workdir =
          settings.locations().local(settings.workdir(), "dsmigrate.workdir");
      // Derby writes derby.log into the working directory unless told where its home is.
      System.setProperty("derby.system.home", workdir.toString());
      setDefault(
          builder,
          given,
          "spark.hadoop.javax.jdo.option.ConnectionURL",
          "jdbc:derby:;databaseName=" + workdir.resolve("metastore_db") + ";create=true");
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
    Locations.use(Locations.of(spark.sparkContext().hadoopConfiguration()));
    if (settings.hive() && !settings.embeddedMetastore()) {
      checkWarehouse(spark);
    }
    return spark;
  }

  /**
   * With a metastore of the cluster's, new databases and managed tables (dsmigrate's results among
   * them) go to Spark's warehouse: one on the driver's local disk while the metastore keeps its
   * default database elsewhere is Spark's fallback ({@code ./spark-warehouse}) for a cluster that
   * sets none, never what was meant, and is refused before anything is written.
   */
  private static void checkWarehouse(SparkSession spark) {
    String warehouse = spark.conf().get("spark.sql.warehouse.dir");
    java.net.URI defaultDatabase =
        spark.sharedState().externalCatalog().getDatabase("default").locationUri();
    boolean localWarehouse = Locations.current().isLocal(warehouse);
    boolean localDefault =
        defaultDatabase.getScheme() == null || defaultDatabase.getScheme().equals("file");
    if (localWarehouse && !localDefault) {
      spark.stop();
      throw new IllegalArgumentException(
          "The metastore keeps its default database at "
              + defaultDatabase
              + ", but this Spark application's warehouse is "
              + Locations.current().qualify(warehouse)
              + " on the driver's local disk, where new databases and managed tables (dsmigrate's"
              + " results among them) would go; set spark.sql.warehouse.dir to the cluster's"
              + " warehouse (e.g. "
              + new org.apache.hadoop.fs.Path(defaultDatabase).getParent()
              + "), as the cluster's spark-defaults.conf or hive-site.xml"
              + " (hive.metastore.warehouse.dir) gives it");
    }
  }

  private static void setDefault(
      SparkSession.Builder builder, SparkConf given, String key, String value) {
    if (!given.contains(key)) {
      builder.config(key, value);
    }
  }
}
