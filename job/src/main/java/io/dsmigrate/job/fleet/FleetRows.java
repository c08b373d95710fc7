package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import java.sql.Timestamp;
import java.util.Map;

/**
 * The results rows of the datasets a fleet execution did not migrate (skipped, paused, held back,
 * failed before their first attempt, or lost to another run), and the run, plan, partition and wave
 * every row of the execution is recorded under.
 */
record FleetRows(
    String runId, String planId, int wave, int defaultPartition, Map<String, Integer> partitionOf) {
  FleetRows {
    requireNonNull(runId, "runId is null");
    partitionOf = Map.copyOf(partitionOf);
  }

  /** The plan partition {@code spec}'s dataset is in. */
  int partition(DatasetSpec spec) {
    return partitionOf.getOrDefault(spec.id(), defaultPartition);
  }

  /** Where the rows of {@code spec}'s dataset are produced. */
  DatasetResult.Run run(DatasetSpec spec) {
    return new DatasetResult.Run(runId, planId, partition(spec), wave);
  }

  /** Not migrated, for {@code reason} (already migrated, or leased by another run). */
  DatasetResult skipped(
      DatasetSpec spec, String reason, DatasetResult previous, Timestamp started) {
    return notMigrated(spec, Status.SKIPPED, null, reason, previous, started);
  }

  /** Not started because {@code pausedBy} paused the run. */
  DatasetResult paused(DatasetSpec spec, String pausedBy, Timestamp started) {
    return notMigrated(
        spec,
        Status.PAUSED,
        null,
        "not started: run "
            + runId
            + " is paused ("
            + pausedBy
            + "). Lift the pause with 'dsmigrate resume --run "
            + runId
            + "', then run it again with --run-id "
            + runId,
        null,
        started);
  }

  /** Stopped because another run took the dataset's lease; that run finishes it. */
  DatasetResult lostLease(
      DatasetSpec spec, Throwable failure, DatasetResult previous, Timestamp started) {
    String message =
        failure instanceof LeaseLostException
            ? failure.getMessage()
            : "Stopped migrating "
                + spec.id()
                + ": this run lost its lease to "
                + "another run, which finishes the dataset";
    return notMigrated(spec, Status.SKIPPED, null, message, previous, started);
  }

  /** Failed before its first attempt (the ledger unusable, what was left not undone, a bug). */
  DatasetResult failedBeforeMigrating(
      DatasetSpec spec, MigrationException failure, DatasetResult previous, Timestamp started) {
    return notMigrated(
        spec, Status.FAILED, failure.errorClass().name(), failure.getMessage(), previous, started);
  }

  /**
   * Held back and not started, for the reason that {@code errorClass} names (the error threshold,
   * or a pilot that did not pass).
   */
  DatasetResult notStarted(DatasetSpec spec, String errorClass, String reason) {
    Timestamp at = now();
    return DatasetResult.notMigrated(
        run(spec),
        subject(spec, null),
        Status.NOT_STARTED,
        errorClass,
        "not started: " + reason,
        at,
        at);
  }

  private DatasetResult notMigrated(
      DatasetSpec spec,
      Status status,
      String errorClass,
      String message,
      DatasetResult previous,
      Timestamp started) {
    return DatasetResult.notMigrated(
        run(spec), subject(spec, previous), status, errorClass, message, started, now());
  }

  /** The dataset as its spec names it, and as its previous outcome found it (may be null). */
  private static DatasetResult.Subject subject(DatasetSpec spec, DatasetResult previous) {
    return new DatasetResult.Subject(
        spec.id(),
        previous != null ? previous.source() : spec.source().describe(),
        spec.target().table() != null ? Names.table(spec.target().table()) : spec.target().path(),
        previous != null ? previous.targetLocation() : null,
        spec.transform().kind(),
        previous != null && previous.inPlace(),
        spec.hash(),
        spec.consumers(),
        spec.owner());
  }

  static Timestamp now() {
    return new Timestamp(System.currentTimeMillis());
  }
}
