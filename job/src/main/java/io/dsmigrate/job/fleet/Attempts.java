package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.migrate.DatasetMigration;
import io.dsmigrate.job.migrate.Failures;
import io.dsmigrate.job.migrate.MigrationProgress;
import io.dsmigrate.job.migrate.RunContext;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrates one admitted dataset on the driver's Spark path: runs its {@link DatasetMigration} in
 * attempts, each in the dataset's Spark job group with a fresh commit tag, retries a failure that
 * can pass (with backoff), and cancels an attempt that runs past the dataset's timeout; records
 * each step and the outcome in the dataset's ledger.
 *
 * <p>Once an attempt's undo has started, the timeout no longer interrupts it: the watchdog and the
 * undo take one lock, so an undo that started runs to its end.
 */
final class Attempts {
  private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

  /** The ledger state each step of a migration records as it starts. */
  private static final Map<String, LedgerState> LEDGER_STEPS =
      Map.of(
          "clear source", LedgerState.SNAPSHOTTED,
          "convert to delta", LedgerState.SNAPSHOTTED,
          "write target", LedgerState.WRITING,
          "validate", LedgerState.WRITTEN,
          "cut over", LedgerState.CUTTING_OVER,
          "undo", LedgerState.UNDOING);

  private final ExecutionContext execution;
  private final Settings settings;
  private final ScheduledExecutorService watchdog;

  Attempts(ExecutionContext execution, ScheduledExecutorService watchdog) {
    this.execution = requireNonNull(execution, "execution is null");
    this.settings = execution.settings();
    this.watchdog = requireNonNull(watchdog, "watchdog is null");
  }

  /** Migrates {@code admitted} until it succeeds or fails for good; returns how it ended. */
  Finished migrate(Admitted admitted) {
    SparkSession spark = execution.spark();
    String runId = execution.runId();
    DatasetSpec spec = admitted.dataset().spec();
    Lease lease = admitted.lease();
    String group = execution.jobGroup(spec.id());
    SparkContext context = spark.sparkContext();
    int attempt = admitted.attemptsBefore();
    while (true) {
      attempt++;
      AtomicBoolean timedOut = new AtomicBoolean();
      // Once the undo starts, the timeout no longer interrupts: an undo runs to its end.
      AtomicBoolean undoing = new AtomicBoolean();
      Thread worker = Thread.currentThread();
      int attemptNumber = attempt;
      SparkSession session = spark.newSession();
      String tag = null;
      if (lease != null) {
        // Every write of the attempt carries this tag (Delta commits, a Parquet target's
        // marker), so that after a crash a target write that committed can be told from one that
        // did not, and so that dsmigrate can prove later which targets it wrote.
        tag = "dsmigrate " + runId + " " + spec.id() + " " + UUID.randomUUID();
        session.conf().set(Ownership.COMMIT_TAG_CONF, tag);
        lease.commitTag(tag);
      }
      DatasetMigration[] migration = new DatasetMigration[1];
      migration[0] =
          new DatasetMigration(
              session,
              admitted.dataset(),
              runContext(spec),
              admitted.previous(),
              execution.ownership(session, spec.id(), tag),
              step -> {
                if (step.equals("undo")) {
                  synchronized (undoing) {
                    undoing.set(true);
                  }
                }
                String description =
                    spec.id()
                        + ": "
                        + step
                        + (attemptNumber > 1 ? " (attempt " + attemptNumber + ")" : "");
                context.setJobGroup(
                    step.equals("undo") ? group + "/undo" : group, description, true);
                LedgerState reached = LEDGER_STEPS.get(step);
                if (lease != null && reached != null) {
                  lease.record(reached, migration[0].progress(), null, null);
                }
              });
      if (attempt == 1 && admitted.resumeWritten() != null) {
        migration[0].resumeAfterWrite(admitted.resumeWritten());
      }
      ScheduledFuture<?> timer =
          watchdog.schedule(
              () -> {
                synchronized (undoing) {
                  if (undoing.get()) {
                    return;
                  }
                  timedOut.set(true);
                  LOG.warn(
                      "{}: over its timeout of {}; cancelling its Spark jobs",
                      spec.id(),
                      settings.datasetTimeout());
                  context.cancelJobGroup(group);
                  worker.interrupt();
                }
              },
              settings.datasetTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
      try {
        if (lease != null && attempt > 1) {
          // The last attempt's changes are undone: nothing is left to recover from here on.
          lease.record(LedgerState.STARTED, null, null, "attempt " + attempt);
        }
        migration[0].execute();
        timer.cancel(false);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable failure) { // one dataset's failure, whatever it is, never stops the others
        timer.cancel(false);
        Thread.interrupted();
        if (lease != null && lease.lost()) {
          DatasetResult lost =
              execution.rows().lostLease(spec, failure, admitted.previous(), admitted.started());
          LOG.warn("{}: {}", spec.id(), lost.errorMessage());
          return Finished.unleased(lost);
        }
        MigrationException classified = classify(spec, failure, timedOut.get());
        boolean retry = classified.errorClass().retryable() && attempt <= settings.retries();
        LOG.warn(
            "{}: attempt {} failed ({}): {}",
            spec.id(),
            attempt,
            classified.errorClass(),
            classified.getMessage());
        if (!retry) {
          DatasetResult partial =
              migration[0].result(Status.FAILED, attempt, admitted.started(), FleetRows.now());
          DatasetResult failed =
              partial.withOutcome(
                  Status.FAILED,
                  classified.errorClass().name(),
                  classified.getMessage(),
                  admitted.started(),
                  FleetRows.now());
          if (lease != null && classified.errorClass() == ErrorClass.ROLLBACK_FAILED) {
            lease.leaveUndoing(migration[0].progress(), classified.getMessage());
          }
          return recordOutcome(lease, LedgerState.FAILED, migration[0].progress(), failed);
        }
        sleep(settings.retryBackoff().toMillis() << (attempt - 1));
        continue;
      } finally {
        context.clearJobGroup();
      }
      Status status = execution.dryRun() ? Status.DRY_RUN : Status.SUCCEEDED;
      LOG.info("{}: {}", spec.id(), status);
      DatasetResult result =
          migration[0].result(status, attempt, admitted.started(), FleetRows.now());
      return recordOutcome(lease, LedgerState.SUCCEEDED, migration[0].progress(), result);
    }
  }

  private RunContext runContext(DatasetSpec spec) {
    FleetRows rows = execution.rows();
    return new RunContext(
        rows.runId(),
        rows.planId(),
        rows.partition(spec),
        rows.wave(),
        settings.snapshotsDir(),
        execution.dryRun(),
        settings.resultsDatabase(),
        settings.validationSamples(),
        settings.queryFloatDigits(),
        settings.security(),
        settings.reservedLocations(),
        settings.backupName());
  }

  /** What an attempt's failure was: a timeout, an undo that failed, or the failure's own class. */
  private MigrationException classify(DatasetSpec spec, Throwable failure, boolean timedOut) {
    if (failure instanceof MigrationException undoFailed
        && undoFailed.errorClass() == ErrorClass.ROLLBACK_FAILED) {
      return timedOut
          ? new MigrationException(
              ErrorClass.ROLLBACK_FAILED,
              "Cannot migrate "
                  + spec.id()
                  + ": still running after the timeout of "
                  + settings.datasetTimeout()
                  + "; its Spark jobs were cancelled, and then: "
                  + undoFailed.getMessage(),
              failure)
          : undoFailed;
    }
    return timedOut
        ? new MigrationException(
            ErrorClass.TIMEOUT,
            "Cannot migrate "
                + spec.id()
                + ": still running after the timeout of "
                + settings.datasetTimeout()
                + "; its Spark jobs were cancelled and its changes undone. Raise"
                + " dsmigrate.fleet.dataset-timeout or give the job more executors",
            failure)
        : Failures.classify(failure, spec, "migrate");
  }

  /** Records an outcome in the ledger, its results row pending until the recorder appends it. */
  private static Finished recordOutcome(
      Lease lease, LedgerState state, MigrationProgress progress, DatasetResult result) {
    if (lease == null) {
      return Finished.unleased(result);
    }
    try {
      lease.record(state, progress, result, null);
    } catch (LeaseLostException lost) {
      return Finished.unleased(
          result.withOutcome(
              Status.SKIPPED, null, lost.getMessage(), result.startedAt(), result.finishedAt()));
    } catch (UncheckedIOException e) {
      // The outcome stands; the ledger keeps the step before it until the lease expires.
      LOG.error(
          "{}: cannot record {} in the ledger: {}", result.datasetId(), state, e.getMessage());
    }
    return new Finished(result, lease);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
