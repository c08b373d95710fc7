package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.Recovery;
import io.dsmigrate.job.migrate.DatasetMigration;
import io.dsmigrate.job.migrate.Failures;
import io.dsmigrate.job.migrate.MigrationProgress;
import io.dsmigrate.job.migrate.RunContext;
import io.dsmigrate.job.migrate.Scripts;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Undo;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent fleet: migrates the datasets of one partition with bounded concurrency, each in its own
 * Spark job group (the Spark UI shows which dataset and step every job belongs to), with retries
 * and backoff for failures that can pass, a per-dataset timeout that cancels the dataset's Spark
 * jobs, and failure isolation: every dataset ends with a results row, and one failure never stops
 * the others.
 *
 * <p>Every dataset goes through the {@link Ledger}: the fleet takes a lease on it before it starts
 * (a dataset another live run holds is SKIPPED, or waited for), records each step as it goes, and
 * releases it once its results row is committed. A dataset that a stopped run left in flight is
 * picked up where it stood ({@link Recovery}). Before starting each dataset the fleet looks for a
 * pause request ({@link PauseRequests}); once there is one, the datasets not started are recorded
 * PAUSED while those in flight finish.
 *
 * <p>A fleet runs one wave of a plan (or part of one). When the wave fails more than its {@link
 * ErrorThreshold} allows, the fleet starts no more of its datasets (they are recorded NOT_STARTED),
 * lets those in flight finish, and rolls back every dataset of the wave that it migrated (recorded
 * ROLLED_BACK with the reason); the report then exits 3.
 *
 * <pre>{@code
 * FleetReport report = Fleet.of(spark, settings).runId(id).execute(datasets);
 * }</pre>
 */
public final class Fleet {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** The ledger state each step of a migration records as it starts. */
  private static final Map<String, LedgerState> LEDGER_STEPS =
      Map.of(
          "clear source", LedgerState.SNAPSHOTTED,
          "convert to delta", LedgerState.SNAPSHOTTED,
          "write target", LedgerState.WRITING,
          "validate", LedgerState.WRITTEN,
          "cut over", LedgerState.CUTTING_OVER,
          "undo", LedgerState.UNDOING);

  private final SparkSession spark;
  private final Settings settings;
  private String runId;
  private String planId;
  private int partition;
  private int wave = Plan.PILOT + 1;
  private boolean dryRun;
  private Map<String, Integer> partitionOf = Map.of();
  private ProgressListener listener = ProgressListener.NONE;

  private Fleet(SparkSession spark, Settings settings) {
    this.spark = requireNonNull(spark, "spark is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  public static Fleet of(SparkSession spark, Settings settings) {
    return new Fleet(spark, settings);
  }

  public Fleet runId(String value) {
    this.runId = value;
    return this;
  }

  public Fleet plan(String id, int partitionIndex) {
    this.planId = id;
    this.partition = partitionIndex;
    return this;
  }

  /** The wave the datasets belong to (recorded in their rows; wave 0 is the pilot). */
  public Fleet wave(int index) {
    this.wave = index;
    return this;
  }

  /** Check everything, write nothing (no targets, no snapshots, no results rows). */
  public Fleet dryRun(boolean value) {
    this.dryRun = value;
    return this;
  }

  public Fleet listener(ProgressListener value) {
    this.listener = requireNonNull(value, "listener is null");
    return this;
  }

  /** Called as datasets finish, e.g. to print progress. */
  public interface ProgressListener {
    ProgressListener NONE = (result, done, total) -> {};

    void finished(DatasetResult result, int done, int total);
  }

  /** Migrates datasets of the partition and wave set with {@link #plan} and {@link #wave}. */
  public FleetReport execute(List<PlannedDataset> datasets) {
    return execute(new Plan.Wave(wave, List.of(new Plan.Partition(partition, wave, 0, datasets))));
  }

  /**
   * Migrates a wave: the datasets of all its partitions share the fleet's agents, and the error
   * threshold counts over all of them.
   */
  public FleetReport execute(Plan.Wave partsOfWave) {
    List<PlannedDataset> datasets = assign(partsOfWave);
    ResultsTable results = ResultsTable.in(spark, settings.resultsDatabase());
    Map<String, DatasetResult> previous = results.latestByDataset();
    List<DatasetResult> finished = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger done = new AtomicInteger();
    ExecutorService agents =
        Executors.newFixedThreadPool(settings.concurrency(), daemon("dsmigrate-agent"));
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(daemon("dsmigrate-watchdog"));
    ScheduledExecutorService leaseKeeper =
        Executors.newSingleThreadScheduledExecutor(daemon("dsmigrate-lease"));
    Execution execution = new Execution(results, watchdog, leaseKeeper);
    WaveGuard guard =
        new WaveGuard(wave, dryRun ? ErrorThreshold.NEVER : settings.errorThreshold());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (PlannedDataset dataset : datasets) {
        futures.add(
            agents.submit(
                () -> {
                  String stopped = guard.stoppedBy();
                  Finished outcome =
                      stopped != null
                          ? new Finished(
                              notStarted(
                                  dataset.spec(),
                                  ERROR_THRESHOLD,
                                  stopped
                                      + ". Look at the wave's failures, fix the cause, then run"
                                      + " the plan again"),
                              null)
                          : execution.runOne(dataset, previous.get(dataset.spec().id()));
                  guard.finished(outcome.result().status());
                  finished.add(outcome.result());
                  listener.finished(outcome.result(), done.incrementAndGet(), datasets.size());
                  if (!dryRun) {
                    execution.recorder.add(outcome.result(), outcome.lease());
                  }
                }));
      }
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (Exception e) {
          LOG.error("An agent failed outside any dataset", e);
        }
      }
      if (!dryRun) {
        execution.recorder.flush();
        if (guard.stoppedBy() != null) {
          execution.rollBackWave(finished, guard.stoppedBy());
        }
      }
    } finally {
      agents.shutdownNow();
      watchdog.shutdownNow();
      leaseKeeper.shutdownNow();
    }
    List<DatasetResult> ordered = new ArrayList<>(finished);
    ordered.sort((a, b) -> a.datasetId().compareTo(b.datasetId()));
    return new FleetReport(runId, ordered, guard.stoppedBy());
  }

  /** The error class of the rows of a wave that its error threshold stopped. */
  public static final String ERROR_THRESHOLD = "ERROR_THRESHOLD";

  /** Counts a wave's outcomes as they come, and says once the wave must stop. */
  private static final class WaveGuard {
    private final int wave;
    private final ErrorThreshold threshold;
    private int failed;
    private int migrated;
    private String stoppedBy;

    WaveGuard(int wave, ErrorThreshold threshold) {
      this.wave = wave;
      this.threshold = threshold;
    }

    synchronized void finished(Status status) {
      if (status != Status.SUCCEEDED && status != Status.FAILED) {
        return; // not migrated by this run: neither a success nor a failure of the wave
      }
      migrated++;
      if (status == Status.FAILED) {
        failed++;
      }
      if (stoppedBy == null && threshold.passedBy(failed, migrated)) {
        stoppedBy = threshold.reason(wave, failed, migrated);
        LOG.warn("{}; starting no more of its datasets, then rolling it back", stoppedBy);
      }
    }

    synchronized String stoppedBy() {
      return stoppedBy;
    }
  }

  /**
   * Records every dataset of a wave NOT_STARTED for {@code reason} (with {@code errorClass} saying
   * what held it) and migrates none of them.
   */
  public FleetReport hold(Plan.Wave held, String errorClass, String reason) {
    List<PlannedDataset> datasets = assign(held);
    List<DatasetResult> rows = new ArrayList<>();
    for (PlannedDataset dataset : datasets) {
      rows.add(notStarted(dataset.spec(), errorClass, reason));
      listener.finished(rows.get(rows.size() - 1), rows.size(), datasets.size());
    }
    if (!dryRun) {
      ResultsTable.in(spark, settings.resultsDatabase()).append(rows);
    }
    return new FleetReport(runId, rows);
  }

  /** Takes the wave and the partition of each of its datasets for the rows; returns them all. */
  private List<PlannedDataset> assign(Plan.Wave partsOfWave) {
    requireNonNull(runId, "runId is null; call runId(...) first");
    this.wave = partsOfWave.index();
    Map<String, Integer> partitions = new java.util.HashMap<>();
    for (Plan.Partition part : partsOfWave.partitions()) {
      part.datasets().forEach(d -> partitions.put(d.spec().id(), part.index()));
    }
    this.partitionOf = partitions;
    return partsOfWave.datasets();
  }

  /** How a dataset ended in this run, and the lease to release once its row is recorded. */
  private record Finished(DatasetResult result, Lease lease) {}

  /** One execution of the fleet: what its agents share. */
  private final class Execution {
    private final ScheduledExecutorService watchdog;
    // Null in a dry run, which writes nothing, the ledger included.
    private final Ledger ledger;
    // The ledger as it stands, read to prove what of a target the dataset wrote (dry runs too).
    private final Ledger ledgerRead;
    private final PauseRequests pauses;
    private final LeaseOwner owner = LeaseOwner.current(runId);
    private final LedgerSettings leases = settings.ledger();
    private final HaltPoint halt = leases.haltPoint();
    private final Heartbeats heartbeats;
    private final ResultsRecorder recorder;
    private final AtomicReference<String> pausedBy = new AtomicReference<>();

    Execution(
        ResultsTable results,
        ScheduledExecutorService watchdog,
        ScheduledExecutorService leaseKeeper) {
      this.watchdog = watchdog;
      Configuration hadoop = spark.sessionState().newHadoopConf();
      this.ledgerRead = Ledger.open(leases.directory(), settings.resultsDatabase(), hadoop);
      this.ledger = dryRun ? null : ledgerRead;
      this.pauses = PauseRequests.in(leases.controlDirectory(), hadoop);
      this.heartbeats = new Heartbeats(leaseKeeper, leases.heartbeat());
      this.recorder =
          new ResultsRecorder(spark, results, settings.resultsBatch(), heartbeats, halt);
    }

    /**
     * Decides from the ledger what to do with a dataset, takes it, picks up what a stopped run left
     * of it, and migrates it.
     */
    Finished runOne(PlannedDataset planned, DatasetResult recordedPrevious) {
      DatasetSpec spec = planned.spec();
      Timestamp started = now();
      try {
        return decideAndRun(
            Scripts.current(spark, planned, settings.security()), recordedPrevious, started);
      } catch (UncheckedIOException e) { // the ledger or the control directory cannot be used
        LOG.warn("{}: {}", spec.id(), e.getMessage());
        return new Finished(
            failedBeforeMigrating(
                spec,
                new MigrationException(ErrorClass.IO_ERROR, e.getMessage(), e),
                recordedPrevious,
                started),
            null);
      } catch (RuntimeException e) { // a bug or a state nobody foresaw: still a row, still counted
        LOG.error("{}: unexpected failure", spec.id(), e);
        return new Finished(
            failedBeforeMigrating(
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
                started),
            null);
      }
    }

    /** What of its targets a dataset's attempts wrote, from its ledger (plus an attempt's tag). */
    private Ownership ownership(SparkSession session, String datasetId, String tag) {
      return Ownership.of(session, ledgerRead.history(datasetId), entry -> true, tag);
    }

    private Finished decideAndRun(
        PlannedDataset dataset, DatasetResult recordedPrevious, Timestamp started) {
      DatasetSpec spec = dataset.spec();
      if (pauseRequest() != null) {
        return paused(spec, started);
      }
      DatasetResult previous = recordedPrevious;
      if (ledger == null) {
        return succeededWithSameSpec(previous, spec)
            ? new Finished(skipped(spec, previous, started), null)
            : migrate(dataset, previous, null, null, started);
      }
      long waitUntil = System.currentTimeMillis() + settings.datasetTimeout().toMillis();
      while (true) {
        LedgerEntry head = ledger.head(spec.id());
        if (head != null && !head.holdsLease() && head.result() != null) {
          // The ledger orders a dataset's outcomes by generation, whatever the hosts' clocks say.
          previous = head.result();
        }
        if (head != null
            && head.heldByLiveOwner(System.currentTimeMillis())
            && !owner.sameAs(head.owner())) {
          if (leases.waitWhenLeased() && System.currentTimeMillis() < waitUntil) {
            sleep(leases.heartbeat().toMillis());
            if (pauseRequest() != null) {
              return paused(spec, started);
            }
            continue;
          }
          return new Finished(
              notMigrated(
                  spec,
                  Status.SKIPPED,
                  "not migrated: leased by "
                      + head.owner().describe()
                      + " until "
                      + Instant.ofEpochMilli(head.leaseExpiresAt())
                      + ", which is migrating it now (it stands at "
                      + head.state()
                      + "). Its results row tells how it ends",
                  previous,
                  started),
              null);
        }
        if ((head == null || !head.holdsLease()) && succeededWithSameSpec(previous, spec)) {
          return new Finished(skipped(spec, previous, started), null);
        }
        Lease lease =
            ledger.claim(head, spec.id(), spec.hash(), owner, leases.leaseDuration(), halt);
        if (lease == null) {
          continue; // another run wrote the dataset's ledger meanwhile: decide again
        }
        String group = "dsmigrate/" + runId + "/" + spec.id();
        heartbeats.start(lease, () -> spark.sparkContext().cancelJobGroup(group));
        if (head == null || !head.holdsLease()) {
          return migrate(dataset, previous, lease, null, started);
        }
        Recovery.Next next;
        spark.sparkContext().setJobGroup(group + "/recover", spec.id() + ": recover", true);
        try {
          next = Recovery.prepare(spark, lease, head, spec, ownership(spark, spec.id(), null));
          if (next instanceof Recovery.Outcome left) {
            recorder.recordLeftOutcome(left.result(), lease);
            previous = left.result();
            continue;
          }
        } catch (LeaseLostException lost) {
          return lostLease(spec, lost, previous, started);
        } catch (MigrationException failure) {
          DatasetResult failed = failedBeforeMigrating(spec, failure, previous, started);
          if (failure.errorClass() == ErrorClass.ROLLBACK_FAILED && head.progress() != null) {
            lease.leaveUndoing(head.progress(), failure.getMessage());
          }
          lease.record(LedgerState.FAILED, head.progress(), failed, null);
          return new Finished(failed, lease);
        } finally {
          spark.sparkContext().clearJobGroup();
        }
        return migrate(
            dataset,
            previous,
            lease,
            next instanceof Recovery.Resume resume ? resume.written() : null,
            started);
      }
    }

    private Finished migrate(
        PlannedDataset dataset,
        DatasetResult previous,
        Lease lease,
        MigrationProgress resumeWritten,
        Timestamp started) {
      DatasetSpec spec = dataset.spec();
      String group = "dsmigrate/" + runId + "/" + spec.id();
      SparkContext context = spark.sparkContext();
      int attempt = 0;
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
                dataset,
                new RunContext(
                    runId,
                    planId,
                    partitionOf(spec),
                    wave,
                    settings.snapshotsDir(),
                    dryRun,
                    settings.resultsDatabase(),
                    settings.validationSamples(),
                    settings.queryFloatDigits(),
                    settings.security(),
                    settings.reservedLocations(),
                    settings.backupName()),
                previous,
                ownership(session, spec.id(), tag),
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
        if (attempt == 1 && resumeWritten != null) {
          migration[0].resumeAfterWrite(resumeWritten);
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
        } catch (
            Throwable failure) { // one dataset's failure, whatever it is, never stops the others
          timer.cancel(false);
          Thread.interrupted();
          if (lease != null && lease.lost()) {
            return lostLease(spec, failure, previous, started);
          }
          MigrationException classified =
              failure instanceof MigrationException undoFailed
                      && undoFailed.errorClass() == ErrorClass.ROLLBACK_FAILED
                  ? (timedOut.get()
                      ? new MigrationException(
                          ErrorClass.ROLLBACK_FAILED,
                          "Cannot migrate "
                              + spec.id()
                              + ": still running after the timeout of "
                              + settings.datasetTimeout()
                              + "; its Spark jobs were cancelled, and then: "
                              + undoFailed.getMessage(),
                          failure)
                      : undoFailed)
                  : timedOut.get()
                      ? new MigrationException(
                          ErrorClass.TIMEOUT,
                          "Cannot migrate "
                              + spec.id()
                              + ": still running after the timeout of "
                              + settings.datasetTimeout()
                              + "; its Spark jobs were cancelled and its changes undone. Raise dsmigrate.fleet.dataset-timeout or give the job more executors",
                          failure)
                      : Failures.classify(failure, spec, "migrate");
          boolean retry = classified.errorClass().retryable() && attempt <= settings.retries();
          LOG.warn(
              "{}: attempt {} failed ({}): {}",
              spec.id(),
              attempt,
              classified.errorClass(),
              classified.getMessage());
          if (!retry) {
            DatasetResult partial = migration[0].result(Status.FAILED, attempt, started, now());
            DatasetResult failed =
                partial.withOutcome(
                    Status.FAILED,
                    classified.errorClass().name(),
                    classified.getMessage(),
                    started,
                    now());
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
        Status status = dryRun ? Status.DRY_RUN : Status.SUCCEEDED;
        LOG.info("{}: {}", spec.id(), status);
        DatasetResult result = migration[0].result(status, attempt, started, now());
        return recordOutcome(lease, LedgerState.SUCCEEDED, migration[0].progress(), result);
      }
    }

    /** Records an outcome in the ledger, its results row pending until the recorder appends it. */
    private Finished recordOutcome(
        Lease lease, LedgerState state, MigrationProgress progress, DatasetResult result) {
      if (lease == null) {
        return new Finished(result, null);
      }
      try {
        lease.record(state, progress, result, null);
      } catch (LeaseLostException lost) {
        return new Finished(
            result.withOutcome(
                Status.SKIPPED, null, lost.getMessage(), result.startedAt(), result.finishedAt()),
            null);
      } catch (UncheckedIOException e) {
        // The outcome stands; the ledger keeps the step before it until the lease expires.
        LOG.error(
            "{}: cannot record {} in the ledger: {}", result.datasetId(), state, e.getMessage());
      }
      return new Finished(result, lease);
    }

    private Finished paused(DatasetSpec spec, Timestamp started) {
      return new Finished(
          notMigrated(
              spec,
              Status.PAUSED,
              "not started: run "
                  + runId
                  + " is paused ("
                  + pausedBy.get()
                  + "). Lift the pause with 'dsmigrate resume --run "
                  + runId
                  + "', then run it again with --run-id "
                  + runId,
              null,
              started),
          null);
    }

    /** The standing pause request of this run, or null; once seen, it holds for the execution. */
    private String pauseRequest() {
      if (pausedBy.get() == null) {
        String request = pauses.requested(runId);
        if (request != null) {
          pausedBy.compareAndSet(null, request.isBlank() ? "requested" : request);
        }
      }
      return pausedBy.get();
    }

    /**
     * Rolls back what this execution migrated in its wave, newest first, each under a lease, and
     * records the datasets ROLLED_BACK with the reason. The rows already appended say SUCCEEDED;
     * the ROLLED_BACK rows come after them.
     */
    void rollBackWave(List<DatasetResult> outcomes, String reason) {
      List<DatasetResult> succeeded = new ArrayList<>();
      synchronized (outcomes) {
        outcomes.stream().filter(r -> r.status() == Status.SUCCEEDED).forEach(succeeded::add);
      }
      succeeded.sort(java.util.Comparator.comparing(DatasetResult::finishedAt).reversed());
      // First every dataset to undo is taken and marked UNDOING in the ledger, so that a driver
      // killed during the rollback leaves each of them to be undone by the next run, not some
      // migrated and some not.
      Map<String, Lease> taken = new java.util.LinkedHashMap<>();
      Map<String, MigrationProgress> progress = new java.util.HashMap<>();
      for (DatasetResult result : succeeded) {
        String id = result.datasetId();
        LedgerEntry head = ledger.head(id);
        Lease lease =
            ledger.claim(head, id, result.specHash(), owner, leases.leaseDuration(), halt);
        if (lease == null) {
          LOG.error("{}: not rolled back with its wave: another run took it meanwhile", id);
          continue;
        }
        heartbeats.start(lease, () -> {});
        progress.put(id, head == null ? null : head.progress());
        // The rollback's own commits (a RESTORE) carry a tag of the dataset's ledger too.
        lease.commitTag("dsmigrate " + runId + " " + id + " rollback " + UUID.randomUUID());
        lease.record(LedgerState.UNDOING, progress.get(id), null, reason);
        taken.put(id, lease);
      }
      for (DatasetResult result : succeeded) {
        String id = result.datasetId();
        Lease lease = taken.get(id);
        if (lease == null) {
          continue;
        }
        Timestamp started = now();
        spark
            .sparkContext()
            .setJobGroup(
                "dsmigrate/" + runId + "/" + id + "/rollback", id + ": wave rollback", true);
        DatasetResult outcome;
        LedgerState state;
        try {
          Undo.of(spark, ownership(spark, id, null), lease.current().commitTag()).dataset(result);
          state = LedgerState.ROLLED_BACK;
          outcome =
              result.withOutcome(
                  Status.ROLLED_BACK,
                  ERROR_THRESHOLD,
                  "rolled back with its wave: "
                      + reason
                      + ". Source and metastore restored, target removed. Look at the wave's"
                      + " failures, fix the cause, then run the plan again",
                  started,
                  now());
        } catch (Exception e) {
          LOG.error("{}: rolling it back with its wave failed", id, e);
          state = LedgerState.FAILED;
          outcome =
              result.withOutcome(
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
                  now());
        } finally {
          spark.sparkContext().clearJobGroup();
        }
        if (state == LedgerState.FAILED && progress.get(id) != null) {
          lease.leaveUndoing(progress.get(id), outcome.errorMessage());
        }
        lease.record(state, progress.get(id), outcome, null);
        recorder.add(outcome, lease);
        replace(outcomes, outcome);
      }
      recorder.flush();
    }

    private Finished lostLease(
        DatasetSpec spec, Throwable failure, DatasetResult previous, Timestamp started) {
      String message =
          failure instanceof LeaseLostException
              ? failure.getMessage()
              : "Stopped migrating "
                  + spec.id()
                  + ": this run lost its lease to "
                  + "another run, which finishes the dataset";
      LOG.warn("{}: {}", spec.id(), message);
      return new Finished(notMigrated(spec, Status.SKIPPED, message, previous, started), null);
    }
  }

  private static void replace(List<DatasetResult> outcomes, DatasetResult newer) {
    synchronized (outcomes) {
      outcomes.replaceAll(r -> r.datasetId().equals(newer.datasetId()) ? newer : r);
    }
  }

  private static boolean succeededWithSameSpec(DatasetResult previous, DatasetSpec spec) {
    return previous != null
        && previous.status() == Status.SUCCEEDED
        && spec.hash().equals(previous.specHash());
  }

  private DatasetResult skipped(DatasetSpec spec, DatasetResult previous, Timestamp started) {
    return notMigrated(
        spec,
        Status.SKIPPED,
        "already migrated by run " + previous.runId() + " with the same spec",
        previous,
        started);
  }

  private DatasetResult failedBeforeMigrating(
      DatasetSpec spec, MigrationException failure, DatasetResult previous, Timestamp started) {
    return notMigrated(spec, Status.FAILED, failure.getMessage(), previous, started)
        .withOutcome(
            Status.FAILED, failure.errorClass().name(), failure.getMessage(), started, now());
  }

  /**
   * A row for a dataset that this run held back and did not start, for the reason that {@code
   * errorClass} names (the error threshold, or a pilot that did not pass).
   */
  public DatasetResult notStarted(DatasetSpec spec, String errorClass, String reason) {
    Timestamp at = now();
    return notMigrated(spec, Status.NOT_STARTED, null, null, at)
        .withOutcome(Status.NOT_STARTED, errorClass, "not started: " + reason, at, at);
  }

  /** A row for a dataset that this run did not migrate; {@code previous} may be null. */
  private DatasetResult notMigrated(
      DatasetSpec spec, Status status, String message, DatasetResult previous, Timestamp started) {
    Timestamp finished = now();
    return new DatasetResult(
        runId,
        planId,
        partitionOf(spec),
        wave,
        spec.id(),
        status,
        previous != null ? previous.source() : spec.source().describe(),
        spec.target().table() != null ? Names.table(spec.target().table()) : spec.target().path(),
        previous != null ? previous.targetLocation() : null,
        spec.transform().kind(),
        previous != null && previous.inPlace(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        message,
        null,
        null,
        spec.hash(),
        0,
        spec.consumers(),
        started,
        finished,
        finished.getTime() - started.getTime(),
        null,
        null);
  }

  private int partitionOf(DatasetSpec spec) {
    return partitionOf.getOrDefault(spec.id(), partition);
  }

  private static Timestamp now() {
    return new Timestamp(System.currentTimeMillis());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
