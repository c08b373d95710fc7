package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.migrate.DatasetMigration;
import io.dsmigrate.job.migrate.MigrationStep;
import io.dsmigrate.job.migrate.RunContext;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.Optional;
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

  private final ExecutionContext execution;
  private final FleetSettings settings;
  private final ScheduledExecutorService watchdog;

  Attempts(ExecutionContext execution, ScheduledExecutorService watchdog) {
    this.execution = requireNonNull(execution, "execution is null");
    this.settings = execution.settings();
    this.watchdog = requireNonNull(watchdog, "watchdog is null");
  }

  /** Migrates {@code admitted} until it succeeds or fails for good; returns how it ended. */
  Finished migrate(Admitted admitted) {
    int attempt = admitted.attemptsBefore();
    while (true) {
      attempt++;
      Optional<Finished> finished = attempt(admitted, attempt);
      if (finished.isPresent()) {
        return finished.get();
      }
    }
  }

  /**
   * Runs one attempt in the dataset's Spark job group, under the dataset's timeout; empty when it
   * failed in a way that can pass, and the backoff before the next attempt is over.
   */
  private Optional<Finished> attempt(Admitted admitted, int attempt) {
    DatasetSpec spec = admitted.dataset().spec();
    Lease lease = admitted.lease();
    SparkContext context = execution.spark().sparkContext();
    // Once the undo starts, the timeout no longer interrupts: an undo runs to its end.
    AtomicBoolean undoing = new AtomicBoolean();
    AtomicBoolean timedOut = new AtomicBoolean();
    DatasetMigration migration = newMigration(admitted, attempt, undoing);
    ScheduledFuture<?> timer = watch(spec, Thread.currentThread(), undoing, timedOut);
    try {
      if (lease != null && attempt > 1) {
        // The last attempt's changes are undone: nothing is left to recover from here on.
        lease.record(LedgerState.STARTED, null, null, "attempt " + attempt);
      }
      migration.execute();
      timer.cancel(false);
    } catch (VirtualMachineError fatal) {
      throw fatal;
    } catch (Throwable failure) { // one dataset's failure, whatever it is, never stops the others
      timer.cancel(false);
      Thread.interrupted();
      return failed(admitted, attempt, migration, failure, timedOut.get());
    } finally {
      context.clearJobGroup();
    }
    Status status = execution.dryRun() ? Status.DRY_RUN : Status.SUCCEEDED;
    LOG.info("{}: {}", spec.id(), status);
    DatasetResult result = migration.result(status, attempt, admitted.started(), FleetRows.now());
    return Optional.of(
        Finished.recorded(lease, LedgerState.SUCCEEDED, migration.progress(), result));
  }

  /**
   * The attempt's migration, in a session of its own with a fresh commit tag, telling each step as
   * it begins: the step names the Spark job group's description (an undo has a group of its own),
   * records its ledger state, and an undo sets {@code undoing}.
   */
  private DatasetMigration newMigration(Admitted admitted, int attempt, AtomicBoolean undoing) {
    DatasetSpec spec = admitted.dataset().spec();
    Lease lease = admitted.lease();
    String group = execution.jobGroup(spec.id());
    SparkContext context = execution.spark().sparkContext();
    SparkSession session = execution.spark().newSession();
    String tag = null;
    if (lease != null) {
      // Every write of the attempt carries this tag (Delta commits, a Parquet target's
      // marker), so that after a crash a target write that committed can be told from one that
      // did not, and so that dsmigrate can prove later which targets it wrote.
      tag = "dsmigrate " + execution.runId() + " " + spec.id() + " " + UUID.randomUUID();
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
            (step, description) -> {
              if (step == MigrationStep.UNDO) {
                synchronized (undoing) {
                  undoing.set(true);
                }
              }
              context.setJobGroup(
                  step == MigrationStep.UNDO ? group + "/undo" : group,
                  spec.id()
                      + ": "
                      + description
                      + (attempt > 1 ? " (attempt " + attempt + ")" : ""),
                  true);
              if (lease != null) {
                step.ledgerState()
                    .ifPresent(
                        reached -> lease.record(reached, migration[0].progress(), null, null));
              }
            });
    if (attempt == 1 && admitted.resumeWritten() != null) {
      migration[0].resumeAfterWrite(admitted.resumeWritten());
    }
    return migration[0];
  }

  /**
   * Past the dataset's timeout, unless its undo has begun, cancels its Spark jobs and interrupts
   * {@code worker}, and sets {@code timedOut}.
   */
  private ScheduledFuture<?> watch(
      DatasetSpec spec, Thread worker, AtomicBoolean undoing, AtomicBoolean timedOut) {
    String group = execution.jobGroup(spec.id());
    SparkContext context = execution.spark().sparkContext();
    return watchdog.schedule(
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
  }

  /**
   * How a failed attempt ends the dataset: a lost lease leaves it to the run that holds it now; a
   * failure that can pass, with attempts left, is retried after the backoff (empty); any other is
   * recorded as FAILED.
   */
  private Optional<Finished> failed(
      Admitted admitted,
      int attempt,
      DatasetMigration migration,
      Throwable failure,
      boolean timedOut) {
    DatasetSpec spec = admitted.dataset().spec();
    Lease lease = admitted.lease();
    if (lease != null && lease.lost()) {
      DatasetResult lost =
          execution.rows().lostLease(spec, failure, admitted.previous(), admitted.started());
      LOG.warn("{}: {}", spec.id(), lost.errorMessage());
      return Optional.of(Finished.unleased(lost));
    }
    MigrationException classified = classify(spec, failure, timedOut);
    boolean retry = classified.errorClass().retryable() && attempt <= settings.retries();
    LOG.warn(
        "{}: attempt {} failed ({}): {}",
        spec.id(),
        attempt,
        classified.errorClass(),
        classified.getMessage());
    if (retry) {
      sleep(settings.retryBackoff().toMillis() << (attempt - 1));
      return Optional.empty();
    }
    DatasetResult partial =
        migration.result(Status.FAILED, attempt, admitted.started(), FleetRows.now());
    DatasetResult failedResult =
        partial.withOutcome(
            Status.FAILED,
            classified.errorClass().name(),
            classified.getMessage(),
            admitted.started(),
            FleetRows.now());
    if (lease != null && classified.errorClass() == ErrorClass.ROLLBACK_FAILED) {
      lease.leaveUndoing(migration.progress(), classified.getMessage());
    }
    return Optional.of(
        Finished.recorded(lease, LedgerState.FAILED, migration.progress(), failedResult));
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
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
