package io.dsmigrate.job.spec;

import java.util.List;

/**
 * Where a dataset is written: a table (registered in the metastore), a path, or both; the format
 * (delta by default, or parquet) and the partition columns.
 */
public record TargetSpec(String table, String path, String format, List<String> partitionBy) {
  public TargetSpec {
    format = format == null ? "delta" : format;
    partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
  }

  /** The table name or the path, as people write it. */
  public String describe() {
    return table != null ? table : path;
  }
}
