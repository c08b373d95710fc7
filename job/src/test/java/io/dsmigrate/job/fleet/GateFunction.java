package io.dsmigrate.job.fleet;

import org.apache.spark.sql.SparkSession;

/**
 * {@link Gate#pass} as a function that transforms can call. Specs may not call Java through {@code
 * reflect}/{@code java_method}, so tests register this one in the metastore, the way a platform
 * team registers its own functions.
 */
@SuppressWarnings("deprecation") // the simplest kind of Hive function is enough here
public final class GateFunction extends org.apache.hadoop.hive.ql.exec.UDF {
  public String evaluate(String name) throws InterruptedException {
    return Gate.pass(name);
  }

  /** Registers the function in {@code database}; returns its name for SQL. */
  public static String register(SparkSession spark, String database) {
    spark.sql("CREATE DATABASE IF NOT EXISTS " + database);
    spark.sql(
        "CREATE FUNCTION IF NOT EXISTS "
            + database
            + ".gate_pass AS '"
            + GateFunction.class.getName()
            + "'");
    return database + ".gate_pass";
  }
}
