package io.dsmigrate.job.spec;

/**
 * Where a dataset is read from: a metastore table, or a path with an optional format (parquet or
 * delta; when absent, delta if the path holds a {@code _delta_log}, else parquet).
 */
public record SourceSpec(String table, String path, String format) {
  /** The table name or the path, as people write it. */
  public String describe() {
    return table != null ? table : path;
  }
}
