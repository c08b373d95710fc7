package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.migrate.Scripts;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.rollback.Recovery;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a dataset into a run, under the ledger: looks for a pause request, applies {@link
 * Admission}'s decision on the dataset's ledger head (waits, skips, or claims the lease and, for a
 * dataset a stopped run left in flight, picks up what it left with {@link Recovery}), then hands
 * the dataset to its migration path ({@link Attempts}). Whatever goes wrong, the dataset ends with
 * a row.
 */
final class Admitter {
  private static final Logger LOG = LoggerFactory.getLogger(Admitter.class);

  private final ExecutionContext execution;
  private final Attempts attempts;
  private final PauseRequests pauses;
  private final AtomicReference<String> pausedBy = new AtomicReference<>();

  Admitter(ExecutionContext execution, Attempts attempts) {
    this.execution = requireNonNull(execution, "execution is null");
    this.attempts = requireNonNull(attempts, "attempts is null");
    SparkSession spark = execution.spark();
    this.pauses =
        PauseRequests.in(
            execution.leases().controlDirectory(), spark.sessionState().newHadoopConf());
  }

  /**
   * Decides from the ledger what to do with a dataset, takes it, picks up what a stopped run left
   * of it, and migrates it.
   */
  Finished run(PlannedDataset planned, DatasetResult recordedPrevious) {
    return run(planned, recordedPrevious, attempts::migrate);
  }

  /**
   * Like {@link #run(PlannedDataset, DatasetResult)}, but a dataset taken fresh (not one to pick up
   * after a write that committed) is handed to {@code path} instead of the Spark path; {@code path}
   * returns its outcome, or null when it migrates the dataset later (the agent path).
   */
  Finished run(
      PlannedDataset planned,
      DatasetResult recordedPrevious,
      java.util.function.Function<Admitted, Finished> path) {
    DatasetSpec spec = planned.spec();
    Timestamp started = FleetRows.now();
    SparkSession spark = execution.spark();
    FleetSettings settings = execution.settings();
    try {
      return decideAndRun(
          Scripts.current(spark, planned, settings.security()), recordedPrevious, started, path);
    } catch (UncheckedIOException e) { // the ledger or the control directory cannot be used
      LOG.warn("{}: {}", spec.id(), e.getMessage());
      return Finished.unleased(
          execution
              .rows()
              .failedBeforeMigrating(
                  spec,
                  new MigrationException(ErrorClass.IO_ERROR, e.getMessage(), e),
                  recordedPrevious,
                  started));
    } catch (RuntimeException e) { // a bug or a state nobody foresaw: still a row, still counted
      LOG.error("{}: unexpected failure", spec.id(), e);
      return Finished.unleased(
          execution
              .rows()
              .failedBeforeMigrating(
                  spec,
                  new MigrationException(
                      ErrorClass.INTERNAL_ERROR,
                      "Cannot migrate "
                          + spec.id()
                          + ": unexpected "
                          + e.getClass().getSimpleName()
                          + ": "
                          + Failures.firstLine(String.valueOf(e.getMessage()))
                          + ". Whatever it left in flight is picked up by the next run; see the"
                          + " driver log for the stack trace",
                      e),
                  recordedPrevious,
                  started));
    }
  }

  private Finished decideAndRun(
      PlannedDataset dataset,
      DatasetResult recordedPrevious,
      Timestamp started,
      java.util.function.Function<Admitted, Finished> path) {
    DatasetSpec spec = dataset.spec();
    FleetRows rows = execution.rows();
    if (pauseRequest() != null) {
      return Finished.unleased(rows.paused(spec, pausedBy.get(), started));
    }
    if (execution.ledger() == null) { // a dry run: no ledger, no lease
      Admission.Decision decision =
          Admission.decide(
              null,
              recordedPrevious,
              spec.hash(),
              execution.owner(),
              System.currentTimeMillis(),
              false);
      return decision instanceof Admission.Skip skip
          ? Finished.unleased(rows.skipped(spec, skip.reason(), skip.previous(), started))
          : path.apply(new Admitted(dataset, decision.previous(), null, null, started));
    }
    LedgerSettings leases = execution.leases();
    DatasetResult previous = recordedPrevious;
    long waitUntil = System.currentTimeMillis() + execution.settings().datasetTimeout().toMillis();
    while (true) {
      LedgerEntry head = execution.ledger().head(spec.id());
      long now = System.currentTimeMillis();
      Admission.Decision decision =
          Admission.decide(
              head,
              previous,
              spec.hash(),
              execution.owner(),
              now,
              leases.waitWhenLeased() && now < waitUntil);
      previous = decision.previous();
      if (decision instanceof Admission.Wait) {
        Attempts.sleep(leases.heartbeat().toMillis());
        if (pauseRequest() != null) {
          return Finished.unleased(rows.paused(spec, pausedBy.get(), started));
        }
        continue;
      }
      if (decision instanceof Admission.Skip skip) {
        execution.notices().finishedEarlier(previous);
        return Finished.unleased(rows.skipped(spec, skip.reason(), previous, started));
      }
      Lease lease =
          execution
              .ledger()
              .claim(
                  head,
                  spec.id(),
                  spec.hash(),
                  execution.owner(),
                  leases.leaseDuration(),
                  execution.halt());
      if (lease == null) {
        continue; // another run wrote the dataset's ledger meanwhile: decide again
      }
      SparkSession spark = execution.spark();
      String group = execution.jobGroup(spec.id());
      execution.heartbeats().start(lease, () -> spark.sparkContext().cancelJobGroup(group));
      if (!(decision instanceof Admission.Recover)) {
        execution.notices().starting(spec);
        return path.apply(new Admitted(dataset, previous, lease, null, started));
      }
      Recovery.Next next;
      spark.sparkContext().setJobGroup(group + "/recover", spec.id() + ": recover", true);
      try {
        next =
            Recovery.prepare(spark, lease, head, spec, execution.ownership(spark, spec.id(), null));
        if (next instanceof Recovery.Outcome left) {
          execution.recorder().recordLeftOutcome(left.result(), lease);
          execution.notices().finished(left.result());
          previous = left.result();
          continue;
        }
      } catch (LeaseLostException lost) {
        DatasetResult row = rows.lostLease(spec, lost, previous, started);
        LOG.warn("{}: {}", spec.id(), row.errorMessage());
        return Finished.unleased(row);
      } catch (MigrationException failure) {
        DatasetResult failed = rows.failedBeforeMigrating(spec, failure, previous, started);
        if (failure.errorClass() == ErrorClass.ROLLBACK_FAILED && head.progress() != null) {
          lease.leaveUndoing(head.progress(), failure.getMessage());
        }
        lease.record(LedgerState.FAILED, head.progress(), failed, null);
        return new Finished(failed, lease);
      } finally {
        spark.sparkContext().clearJobGroup();
      }
      execution.notices().starting(spec);
      return attempts.migrate(
          new Admitted(
              dataset,
              previous,
              lease,
              next instanceof Recovery.Resume resume ? resume.written() : null,
              started));
    }
  }

  /** The standing pause request of this run, or null; once seen, it holds for the execution. */
  private String pauseRequest() {
    if (pausedBy.get() == null) {
      String request = pauses.requested(execution.runId());
      if (request != null) {
        pausedBy.compareAndSet(null, request.isBlank() ? "requested" : request);
      }
    }
    return pausedBy.get();
  }
}
