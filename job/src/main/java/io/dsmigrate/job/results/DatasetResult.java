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
 * cut-over (null: no cut-over). {@code owner} is the team or address the dataset's spec names as
 * its owner (null: none).
 *
 * <p>Rows are built by the factories that name what they say ({@link #notMigrated}, {@link
 * #attempted}, {@link #recorded} for a row read back, {@link #withOutcome} for a later row), from
 * the groups of fields below, not by the 29-field constructor.
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
    String backupTable,
    String owner) {

  public DatasetResult {
    requireNonNull(runId, "runId is null");
    requireNonNull(datasetId, "datasetId is null");
    requireNonNull(status, "status is null");
    consumers = consumers == null ? List.of() : List.copyOf(consumers);
  }

  /** Where a row was produced: the run, its plan and partition, and the wave (0: the pilot). */
  public record Run(String runId, String planId, int partition, int wave) {
    public Run {
      requireNonNull(runId, "runId is null");
    }
  }

  /**
   * Which dataset a row is about, as its spec and the run found it: the source and target as named,
   * where the target lives (null: not resolved), the transform's kind, whether the target replaces
   * the source in place, the spec's hash, the consumers to tell and the owner (null: none).
   */
  public record Subject(
      String datasetId,
      String source,
      String target,
      String targetLocation,
      String transformKind,
      boolean inPlace,
      String specHash,
      List<String> consumers,
      String owner) {
    public Subject {
      requireNonNull(datasetId, "datasetId is null");
      consumers = consumers == null ? List.of() : List.copyOf(consumers);
    }

    /** A dataset without an owner. */
    public Subject(
        String datasetId,
        String source,
        String target,
        String targetLocation,
        String transformKind,
        boolean inPlace,
        String specHash,
        List<String> consumers) {
      this(
          datasetId,
          source,
          target,
          targetLocation,
          transformKind,
          inPlace,
          specHash,
          consumers,
          null);
    }
  }

  /** The validation's counts and matches; null fields: the dataset did not get that far. */
  public record Counts(
      Long sourceRows,
      Long targetRows,
      Boolean schemaMatch,
      Boolean contentMatch,
      Long rowsMissing,
      Long rowsExtra) {
    /** Not validated. */
    public static final Counts NONE = new Counts(null, null, null, null, null, null);
  }

  /**
   * What a rollback goes back to: the source's snapshot, the target's Delta version before the run
   * (null: the run created it) and the source table's name after a cut-over (null: no cut-over).
   */
  public record UndoPoints(String snapshot, Long targetPreviousVersion, String backupTable) {
    /** Nothing to go back to: the dataset changed nothing. */
    public static final UndoPoints NONE = new UndoPoints(null, null, null);
  }

  /**
   * A row for a dataset this run did not migrate (skipped, paused, not started, or failed before
   * its first attempt): no attempts, counts or undo points; {@code errorClass} may be null.
   */
  public static DatasetResult notMigrated(
      Run run,
      Subject subject,
      Status status,
      String errorClass,
      String message,
      Timestamp started,
      Timestamp finished) {
    return recorded(
        run,
        subject,
        status,
        errorClass,
        message,
        0,
        Counts.NONE,
        null,
        UndoPoints.NONE,
        started,
        finished,
        finished.getTime() - started.getTime());
  }

  /**
   * A row for what the attempts of a migration did, without an error (a failure's error is set with
   * {@link #withOutcome}); {@code validation} is null when the dataset was not validated.
   */
  public static DatasetResult attempted(
      Run run,
      Subject subject,
      Status status,
      int attempts,
      Counts counts,
      ValidationFigures validation,
      UndoPoints undoPoints,
      Timestamp started,
      Timestamp finished) {
    return recorded(
        run,
        subject,
        status,
        null,
        null,
        attempts,
        counts,
        validation,
        undoPoints,
        started,
        finished,
        finished.getTime() - started.getTime());
  }

  /**
   * A row as the results table holds it, every field given. The one caller of the canonical
   * constructor: every other row is built by a factory that names what it says.
   */
  public static DatasetResult recorded(
      Run run,
      Subject subject,
      Status status,
      String errorClass,
      String errorMessage,
      int attempts,
      Counts counts,
      ValidationFigures validation,
      UndoPoints undoPoints,
      Timestamp started,
      Timestamp finished,
      long durationMs) {
    requireNonNull(run, "run is null");
    requireNonNull(subject, "subject is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(undoPoints, "undoPoints is null");
    return new DatasetResult(
        run.runId(),
        run.planId(),
        run.partition(),
        run.wave(),
        subject.datasetId(),
        status,
        subject.source(),
        subject.target(),
        subject.targetLocation(),
        subject.transformKind(),
        subject.inPlace(),
        counts.sourceRows(),
        counts.targetRows(),
        counts.schemaMatch(),
        counts.contentMatch(),
        counts.rowsMissing(),
        counts.rowsExtra(),
        errorClass,
        errorMessage,
        undoPoints.snapshot(),
        undoPoints.targetPreviousVersion(),
        subject.specHash(),
        attempts,
        subject.consumers(),
        started,
        finished,
        durationMs,
        validation,
        undoPoints.backupTable(),
        subject.owner());
  }

  /** Where this row was produced. */
  public Run run() {
    return new Run(runId, planId, partition, wave);
  }

  /** Which dataset this row is about. */
  public Subject subject() {
    return new Subject(
        datasetId,
        source,
        target,
        targetLocation,
        transformKind,
        inPlace,
        specHash,
        consumers,
        owner);
  }

  /** This row's validation counts. */
  public Counts counts() {
    return new Counts(sourceRows, targetRows, schemaMatch, contentMatch, rowsMissing, rowsExtra);
  }

  /** What a rollback of this row's dataset goes back to. */
  public UndoPoints undoPoints() {
    return new UndoPoints(snapshot, targetPreviousVersion, backupTable);
  }

  /** This result as a later row of the same run with another status and message. */
  public DatasetResult withOutcome(
      Status newStatus,
      String newErrorClass,
      String message,
      Timestamp started,
      Timestamp finished) {
    return recorded(
        run(),
        subject(),
        newStatus,
        newErrorClass,
        message,
        attempts,
        counts(),
        validation,
        undoPoints(),
        started,
        finished,
        finished.getTime() - started.getTime());
  }
}
