package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import java.sql.Timestamp;

/**
 * A dataset that a run has taken and may now migrate: what a migration path ({@link Attempts}, the
 * per-dataset Spark path) is handed by the fleet's {@link Admitter}.
 *
 * @param previous the dataset's previous outcome, or null
 * @param lease the dataset's lease in the ledger; null in a dry run
 * @param resumeWritten the committed write of a stopped run to validate instead of writing again,
 *     or null to migrate from the start
 * @param started when this run took the dataset up, for its row
 * @param attemptsBefore attempts already made on another path (an agent's that failed in a way that
 *     can pass), counted against the retries
 */
record Admitted(
    PlannedDataset dataset,
    DatasetResult previous,
    Lease lease,
    MigrationProgress resumeWritten,
    Timestamp started,
    int attemptsBefore) {
  Admitted {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(started, "started is null");
  }

  Admitted(
      PlannedDataset dataset,
      DatasetResult previous,
      Lease lease,
      MigrationProgress resumeWritten,
      Timestamp started) {
    this(dataset, previous, lease, resumeWritten, started, 0);
  }
}
