package io.dsmigrate.launcher;

import io.dsmigrate.launcher.demo.DemoWarehouse;
import org.apache.spark.sql.SparkSession;

/**
 * The tests' one metastore outlives each test's workdir: a test that runs the demo command starts
 * from no demo tables, as a fresh workdir's embedded metastore would give {@code bin/dsmigrate
 * demo}, whichever test ran a demo before it in this JVM.
 */
final class DemoDatabases {
  private DemoDatabases() {}

  static void dropAll(SparkSession spark) {
    spark.sql("DROP DATABASE IF EXISTS legacy CASCADE");
    for (String database : DemoWarehouse.TARGET_DATABASES) {
      spark.sql("DROP DATABASE IF EXISTS " + database + " CASCADE");
    }
  }
}
