package io.dsmigrate.launcher.report;

import static java.util.Objects.requireNonNull;

import java.sql.Timestamp;
import java.util.List;

/**
 * One table or view as an assessment found it: a row of {@code <results database>.inventory}, with
 * the columns the report shows. Figures are null when the assessment could not tell.
 */
public record InventoryEntry(
    String assessmentId,
    Timestamp assessedAt,
    String database,
    String table,
    String kind,
    String format,
    Long sizeBytes,
    Long files,
    Long partitions,
    Long partitionsOutside,
    String owner,
    List<String> dependentViews,
    boolean migratable,
    List<String> issues,
    String specFile) {
  public InventoryEntry {
    requireNonNull(assessmentId, "assessmentId is null");
    dependentViews = dependentViews == null ? List.of() : List.copyOf(dependentViews);
    issues = issues == null ? List.of() : List.copyOf(issues);
  }

  /** The table's name as people write it: {@code database.table}. */
  public String name() {
    return database + "." + table;
  }
}
