package io.dsmigrate.job.fleet;

import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.results.DatasetResult;

/**
 * How a dataset ended in this run, and the lease to release once its row is recorded (null: the run
 * holds none, or its outcome is not in the ledger).
 */
record Finished(DatasetResult result, Lease lease) {
  /** An outcome that holds no lease. */
  static Finished unleased(DatasetResult result) {
    return new Finished(result, null);
  }
}
