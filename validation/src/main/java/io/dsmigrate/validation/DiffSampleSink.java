package io.dsmigrate.validation;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Receives up to N differing rows of a comparison as a Dataset, to be written where people can read
 * them (the job appends them to {@code dsmigrate.diff_samples}). The tables are never collected to
 * the driver; the samples may pass through it (at most N of each kind from each task).
 */
@FunctionalInterface
public interface DiffSampleSink {
  /**
   * The columns of a sample row: {@code kind} is {@code missing} (in old, not in new), {@code
   * extra} (in new, not in old) or {@code changed} (same key, other values); {@code key} is the key
   * columns as JSON (null without a key); {@code columns} lists the differing columns of a changed
   * row; {@code old_value} and {@code new_value} are the rows as JSON.
   */
  StructType SCHEMA =
      StructType.fromDDL(
          "kind STRING, key STRING, columns ARRAY<STRING>, old_value STRING, new_value STRING");

  /** Writes the samples; called at most once per comparison, only when there are differences. */
  void write(Dataset<Row> samples);
}
