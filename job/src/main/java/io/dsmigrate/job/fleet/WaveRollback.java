package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Undo;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls back what an execution migrated in a wave that its error threshold stopped: newest first,
 * each dataset under a lease, through {@link Undo} (which undoes only what the dataset's ledger
 * proves dsmigrate wrote), and records each ROLLED_BACK with the reason, or FAILED with
 * ROLLBACK_FAILED and what to restore by hand. The rows already appended say SUCCEEDED; the new
 * rows come after them.
 *
 * <pre>{@code
 * List<DatasetResult> rows = new WaveRollback(execution).execute(outcomes, reason);
 * }</pre>
 */
final class WaveRollback {
  private static final Logger LOG = LoggerFactory.getLogger(WaveRollback.class);

  private final ExecutionContext execution;

  WaveRollback(ExecutionContext execution) {
    this.execution = requireNonNull(execution, "execution is null");
    requireNonNull(execution.ledger(), "a dry run has no ledger and rolls nothing back");
  }

  /**
   * Rolls back the SUCCEEDED datasets of {@code outcomes}, which the wave's error threshold stopped
   * for {@code reason}; returns their new rows (recorded, and their leases released).
   */
  List<DatasetResult> execute(List<DatasetResult> outcomes, String reason) {
    List<DatasetResult> succeeded = new ArrayList<>();
    outcomes.stream().filter(r -> r.status() == Status.SUCCEEDED).forEach(succeeded::add);
    succeeded.sort(Comparator.comparing(DatasetResult::finishedAt).reversed());
    LedgerSettings leases = execution.leases();
    String runId = execution.runId();
    // First every dataset to undo is taken and marked UNDOING in the ledger, so that a driver
    // killed during the rollback leaves each of them to be undone by the next run, not some
    // migrated and some not.
    Map<String, Lease> taken = new LinkedHashMap<>();
    Map<String, MigrationProgress> progress = new HashMap<>();
    for (DatasetResult result : succeeded) {
      String id = result.datasetId();
      LedgerEntry head = execution.ledger().head(id);
      Lease lease =
          execution
              .ledger()
              .claim(
                  head,
                  id,
                  result.specHash(),
                  execution.owner(),
                  leases.leaseDuration(),
                  execution.halt());
      if (lease == null) {
        LOG.error("{}: not rolled back with its wave: another run took it meanwhile", id);
        continue;
      }
      execution.heartbeats().start(lease, () -> {});
      progress.put(id, head == null ? null : head.progress());
      // The rollback's own commits (a RESTORE) carry a tag of the dataset's ledger too.
      lease.commitTag("dsmigrate " + runId + " " + id + " rollback " + UUID.randomUUID());
      lease.record(LedgerState.UNDOING, progress.get(id), null, reason);
      taken.put(id, lease);
    }
    List<DatasetResult> rolledBack = new ArrayList<>();
    for (DatasetResult result : succeeded) {
      String id = result.datasetId();
      Lease lease = taken.get(id);
      if (lease == null) {
        continue;
      }
      DatasetResult outcome = rollBack(result, lease, reason);
      LedgerState state =
          outcome.status() == Status.ROLLED_BACK ? LedgerState.ROLLED_BACK : LedgerState.FAILED;
      if (state == LedgerState.FAILED && progress.get(id) != null) {
        lease.leaveUndoing(progress.get(id), outcome.errorMessage());
      }
      lease.record(state, progress.get(id), outcome, null);
      execution.recorder().add(outcome, lease);
      execution.notices().finished(outcome);
      rolledBack.add(outcome);
    }
    execution.recorder().flush();
    return rolledBack;
  }

  /** Undoes one dataset under {@code lease}; returns its ROLLED_BACK or FAILED row. */
  private DatasetResult rollBack(DatasetResult result, Lease lease, String reason) {
    SparkSession spark = execution.spark();
    String id = result.datasetId();
    Timestamp started = FleetRows.now();
    spark
        .sparkContext()
        .setJobGroup(execution.jobGroup(id) + "/rollback", id + ": wave rollback", true);
    try {
      Undo.of(spark, execution.ownership(spark, id, null), lease.current().commitTag())
          .dataset(result);
      return result.withOutcome(
          Status.ROLLED_BACK,
          Fleet.ERROR_THRESHOLD,
          "rolled back with its wave: "
              + reason
              + ". Source and metastore restored, target removed. Look at the wave's"
              + " failures, fix the cause, then run the plan again",
          started,
          FleetRows.now());
    } catch (Exception e) {
      LOG.error("{}: rolling it back with its wave failed", id, e);
      return result.withOutcome(
          Status.FAILED,
          ErrorClass.ROLLBACK_FAILED.name(),
          "its wave was stopped ("
              + reason
              + ") but rolling it back failed: "
              + Failures.firstLine(e.getMessage())
              + (result.snapshot() != null
                  ? ". Restore the source by hand from snapshot " + result.snapshot()
                  : ". Remove the target " + result.targetLocation() + " by hand"),
          started,
          FleetRows.now());
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }
}
