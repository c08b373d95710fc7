package io.dsmigrate.job.assess;

import static java.util.Objects.requireNonNull;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One table or view as an assessment found it: a row of the inventory table ({@link
 * InventoryTable}), in its columns' order.
 *
 * @param assessmentId the assessment (one per {@code assess})
 * @param assessedAt when the assessment started
 * @param database the table's database
 * @param table the table's name
 * @param kind MANAGED, EXTERNAL or VIEW; null when the metastore's definition could not be read
 * @param format the format of its files (parquet, delta, orc, csv, json, text, avro, hive-serde,
 *     ...); null for a view
 * @param location its location, a qualified URI; null for a view
 * @param sizeBytes bytes under its location and its partitions' locations outside it; null for a
 *     view
 * @param files files there; null for a view
 * @param partitionColumns its partition columns
 * @param partitions the partitions the metastore registers for it
 * @param partitionsOutside those whose location is not under the table's location
 * @param owner the owner the metastore reports, or null
 * @param comment its comment, or null
 * @param properties its properties as the metastore holds them
 * @param dependentViews the views ({@code db.view}) of the assessed databases that read it,
 *     directly or through other views
 * @param migratable whether the drafted spec migrates it faithfully
 * @param issues why not, each {@code "what: why; what to do"}
 * @param specFile the drafted spec's path, or null when none was drafted
 */
public record InventoryRow(
    String assessmentId,
    Timestamp assessedAt,
    String database,
    String table,
    String kind,
    String format,
    String location,
    Long sizeBytes,
    Long files,
    List<String> partitionColumns,
    long partitions,
    long partitionsOutside,
    String owner,
    String comment,
    Map<String, String> properties,
    List<String> dependentViews,
    boolean migratable,
    List<String> issues,
    String specFile) {
  public InventoryRow {
    requireNonNull(assessmentId, "assessmentId is null");
    requireNonNull(database, "database is null");
    requireNonNull(table, "table is null");
    partitionColumns = partitionColumns == null ? List.of() : List.copyOf(partitionColumns);
    properties =
        properties == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(properties));
    dependentViews = dependentViews == null ? List.of() : List.copyOf(dependentViews);
    issues = issues == null ? List.of() : List.copyOf(issues);
  }

  /** {@code db.table}. */
  public String name() {
    return database + "." + table;
  }

  /** This row with {@code issue} added: not migratable, its spec (if any) at {@code specFile}. */
  InventoryRow withIssue(String issue, String specFile) {
    List<String> more = new java.util.ArrayList<>(issues);
    more.add(issue);
    return with(false, more, specFile);
  }

  /** This row with its drafted spec at {@code specFile}. */
  InventoryRow withSpecFile(String specFile) {
    return with(migratable, issues, specFile);
  }

  private InventoryRow with(boolean migratable, List<String> issues, String specFile) {
    return new InventoryRow(
        assessmentId,
        assessedAt,
        database,
        table,
        kind,
        format,
        location,
        sizeBytes,
        files,
        partitionColumns,
        partitions,
        partitionsOutside,
        owner,
        comment,
        properties,
        dependentViews,
        migratable,
        issues,
        specFile);
  }
}
