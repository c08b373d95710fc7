package io.dsmigrate.job.results;

import static java.util.Objects.requireNonNull;

import java.sql.Timestamp;
import java.util.List;

/**
 * One row of the results table: how one dataset fared in one run.
 *
 * <p>Counts and matches are null when the dataset did not get that far. {@code snapshot} names what
 * rollback restores the source from ({@code copy:<dir>} or {@code delta:<location>@v<n>}); {@code
 * targetPreviousVersion} is the Delta version the target had before this run overwrote it (null:
 * the run created the target). {@code validation} holds the keyed-diff, column and consumer query
 * figures (null when the dataset was not validated). {@code wave} is the plan wave the dataset ran
 * in; wave 0 is the pilot. {@code backupTable} is the name the source table is kept under after a
 * cut-over (null: no cut-over).
 */
public record DatasetResult(
    String runId,
    String planId,
    int partition,
    int wave,
    String datasetId,
    Status status,
    String source,
    String target,
    String targetLocation,
    String transformKind,
    boolean inPlace,
    Long sourceRows,
    Long targetRows,
    Boolean schemaMatch,
    Boolean contentMatch,
    Long rowsMissing,
    Long rowsExtra,
    String errorClass,
    String errorMessage,
    String snapshot,
    Long targetPreviousVersion,
    String specHash,
    int attempts,
    List<String> consumers,
    Timestamp startedAt,
    Timestamp finishedAt,
    long durationMs,
    ValidationFigures validation,
    String backupTable) {

  public DatasetResult {
    requireNonNull(runId, "runId is null");
    requireNonNull(datasetId, "datasetId is null");
    requireNonNull(status, "status is null");
    consumers = consumers == null ? List.of() : List.copyOf(consumers);
  }

  /** This result as a later row of the same run with another status and message. */
  public DatasetResult withOutcome(
      Status newStatus,
      String newErrorClass,
      String message,
      Timestamp started,
      Timestamp finished) {
    return new DatasetResult(
        runId,
        planId,
        partition,
        wave,
        datasetId,
        newStatus,
        source,
        target,
        targetLocation,
        transformKind,
        inPlace,
        sourceRows,
        targetRows,
        schemaMatch,
        contentMatch,
        rowsMissing,
        rowsExtra,
        newErrorClass,
        message,
        snapshot,
        targetPreviousVersion,
        specHash,
        attempts,
        consumers,
        started,
        finished,
        finished.getTime() - started.getTime(),
        validation,
        backupTable);
  }
}
