package io.dsmigrate.job.plan;

import java.util.List;

/**
 * What the planner found about a source.
 *
 * @param table the normalized table name, or null for a path source
 * @param location where its files are (a URI)
 * @param format the data format: delta, parquet or orc
 * @param provider how the metastore knows it (hive, parquet, delta, ...), or "path"
 * @param managed a managed table (its files go when the table is dropped)
 * @param schemaDdl the schema as Spark DDL
 * @param partitionColumns the source's partition columns
 * @param sizeBytes bytes under its location
 * @param files files under its location
 */
public record SourceInfo(
    String table,
    String location,
    String format,
    String provider,
    boolean managed,
    String schemaDdl,
    List<String> partitionColumns,
    long sizeBytes,
    long files) {
  public SourceInfo {
    partitionColumns = partitionColumns == null ? List.of() : List.copyOf(partitionColumns);
  }

  /**
   * Whether a migration in place can read a source of {@code format} ({@link #format}) back from
   * its snapshot: Delta, Parquet and ORC; not text, CSV, JSON or other Hive serdes, whose files
   * Spark does not read back without the table's definition.
   */
  public static boolean readableFromSnapshot(String format) {
    return format.equals("delta") || format.equals("parquet") || format.equals("orc");
  }
}
