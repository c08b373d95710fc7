package io.dsmigrate.job.results;

import io.delta.exceptions.DeltaConcurrentModificationException;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;

/**
 * Creates dsmigrate's own Delta tables (results, diff samples, dropped backups) when they are
 * missing, also while other applications create them: the partitions of a plan submitted in
 * parallel on one metastore all do so when they start. Of simultaneous creations of a Delta table
 * at one location only one succeeds; the others find its directory half written ({@code
 * DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION}), lose the race for its first commit or for its
 * metastore entry. Such a creation waits and tries again, and is done once the table exists.
 */
public final class OwnTables {
  /** Tries, with waits of 0.5, 1, 2, 4, 8 and 8 s in between: the creator's Delta commit. */
  private static final int ATTEMPTS = 7;

  private static final long FIRST_WAIT_MS = 500;
  private static final long LONGEST_WAIT_MS = 8_000;

  private OwnTables() {}

  /**
   * Creates {@code name} ({@code database.table}) as a Delta table of {@code columns} (DDL) unless
   * it exists, and its database first when that is missing.
   */
  public static void createIfMissing(
      SparkSession spark, String name, String columns, String comment) {
    String database = name.substring(0, name.lastIndexOf('.'));
    if (!spark.catalog().databaseExists(database)) {
      spark.sql("CREATE DATABASE IF NOT EXISTS `" + database + "`");
    }
    String create =
        "CREATE TABLE IF NOT EXISTS "
            + name
            + " ("
            + columns
            + ") USING delta COMMENT '"
            + comment.replace("'", "\\'")
            + "'";
    long wait = FIRST_WAIT_MS;
    for (int attempt = 1; ; attempt++) {
      try {
        spark.sql(create);
        return;
      } catch (Exception e) { // AnalysisException is checked but thrown undeclared
        if (spark.catalog().tableExists(name)) {
          return; // another application created it
        }
        if (attempt == ATTEMPTS || !createdMeanwhile(e)) {
          throw e; // as it came: the callers classify Spark's failures
        }
      }
      try {
        Thread.sleep(wait);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating " + name, interrupted);
      }
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    }
  }

  /** Whether a failure is one that another application creating the table at once causes. */
  static boolean createdMeanwhile(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof DeltaConcurrentModificationException
          || cause instanceof TableAlreadyExistsException
          || cause instanceof SparkThrowable spark
              && "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION".equals(spark.getCondition())) {
        return true;
      }
    }
    return false;
  }
}
