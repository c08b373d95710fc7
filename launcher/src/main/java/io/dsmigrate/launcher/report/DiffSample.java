package io.dsmigrate.launcher.report;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One differing row that validation kept in {@code diff_samples}: {@code kind} is {@code missing}
 * (only in the old data), {@code extra} (only in the new) or {@code changed} (same key, other
 * values); the rows are JSON objects (null on the side the row is absent from) and {@code columns}
 * names the columns that differ in a changed row.
 */
public record DiffSample(
    String datasetId,
    String kind,
    String key,
    List<String> columns,
    String oldValue,
    String newValue) {
  public DiffSample {
    requireNonNull(datasetId, "datasetId is null");
    columns = columns == null ? List.of() : List.copyOf(columns);
  }
}
