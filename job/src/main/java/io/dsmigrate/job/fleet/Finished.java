package io.dsmigrate.job.fleet;

import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a dataset ended in this run, and the lease to release once its row is recorded (null: the run
 * holds none, or its outcome is not in the ledger).
 */
record Finished(DatasetResult result, Lease lease) {
  private static final Logger LOG = LoggerFactory.getLogger(Finished.class);

  /**
   * Records the outcome {@code state} with its row in the dataset's ledger (nothing without a
   * lease); a lost lease makes the outcome SKIPPED (another run took the dataset over). A ledger
   * that cannot be written leaves the outcome standing: the ledger keeps the step before it until
   * the lease expires.
   */
  static Finished recorded(
      Lease lease, LedgerState state, MigrationProgress progress, DatasetResult result) {
    if (lease == null) {
      return unleased(result);
    }
    try {
      lease.record(state, progress, result, null);
    } catch (LeaseLostException lost) {
      return unleased(
          result.withOutcome(
              Status.SKIPPED, null, lost.getMessage(), result.startedAt(), result.finishedAt()));
    } catch (UncheckedIOException e) {
      LOG.error(
          "{}: cannot record {} in the ledger: {}", result.datasetId(), state, e.getMessage());
    }
    return new Finished(result, lease);
  }

  /** An outcome that holds no lease. */
  static Finished unleased(DatasetResult result) {
    return new Finished(result, null);
  }
}
