package io.dsmigrate.job.results;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.dsmigrate.validation.DiffSampleSink;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The diff samples table, {@code <database>.diff_samples}: up to N differing rows per dataset and
 * run, with the old and the new value as JSON and the columns that differ. Samples are appended by
 * Spark from the executors; they never pass through the driver.
 */
public final class DiffSamplesTable {
  /** The columns, in order (the sample columns of {@link DiffSampleSink#SCHEMA} after these). */
  public static final String COLUMNS =
      "run_id STRING NOT NULL, dataset_id STRING NOT NULL, recorded_at TIMESTAMP, kind STRING,"
          + " key STRING, columns ARRAY<STRING>, old_value STRING, new_value STRING";

  private final String name;

  private DiffSamplesTable(String name) {
    this.name = name;
  }

  /** The table in {@code database}, created (with the database) when missing. */
  public static DiffSamplesTable in(SparkSession spark, String database) {
    DiffSamplesTable table = new DiffSamplesTable(database + ".diff_samples");
    OwnTables.createIfMissing(
        spark, table.name, COLUMNS, "dsmigrate: differing rows found by validation");
    return table;
  }

  /** The table in {@code database}, assumed to exist (the results table creates it). */
  public static DiffSamplesTable of(String database) {
    return new DiffSamplesTable(database + ".diff_samples");
  }

  public String name() {
    return name;
  }

  /** A sink that appends a comparison's samples, tagged with the run and dataset. */
  public DiffSampleSink sink(String runId, String datasetId) {
    return samples -> append(samples, runId, datasetId);
  }

  private void append(Dataset<Row> samples, String runId, String datasetId) {
    samples
        .select(
            lit(runId).as("run_id"),
            lit(datasetId).as("dataset_id"),
            current_timestamp().as("recorded_at"),
            samples.col("kind"),
            samples.col("key"),
            samples.col("columns"),
            samples.col("old_value"),
            samples.col("new_value"))
        .write()
        .format("delta")
        .mode("append")
        .saveAsTable(name);
  }
}
