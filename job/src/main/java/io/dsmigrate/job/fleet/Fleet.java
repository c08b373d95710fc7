package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.migrate.DatasetMigration;
import io.dsmigrate.job.migrate.Failures;
import io.dsmigrate.job.migrate.RunContext;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <pre>{@code
 * FleetReport report = Fleet.of(spark, settings).runId(id).execute(datasets);
 * }</pre>
 */
public final class Fleet {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  private final SparkSession spark;
  private final Settings settings;
  private String runId;
  private String planId;
  private int partition;
  private boolean dryRun;
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

  public FleetReport execute(List<PlannedDataset> datasets) {
    requireNonNull(runId, "runId is null; call runId(...) first");
    ResultsTable results = ResultsTable.in(spark, settings.resultsDatabase());
    Map<String, DatasetResult> previous = results.latestByDataset();
    List<DatasetResult> finished = Collections.synchronizedList(new ArrayList<>());
    List<DatasetResult> unrecorded = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    ExecutorService agents =
        Executors.newFixedThreadPool(settings.concurrency(), daemon("dsmigrate-agent"));
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(daemon("dsmigrate-watchdog"));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (PlannedDataset dataset : datasets) {
        futures.add(
            agents.submit(
                () -> {
                  DatasetResult result =
                      runOne(dataset, previous.get(dataset.spec().id()), watchdog);
                  finished.add(result);
                  listener.finished(result, done.incrementAndGet(), datasets.size());
                  if (!dryRun) {
                    synchronized (unrecorded) {
                      unrecorded.add(result);
                      if (unrecorded.size() >= settings.resultsBatch()) {
                        results.append(List.copyOf(unrecorded));
                        unrecorded.clear();
                      }
                    }
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
        synchronized (unrecorded) {
          results.append(List.copyOf(unrecorded));
          unrecorded.clear();
        }
      }
    } finally {
      agents.shutdownNow();
      watchdog.shutdownNow();
    }
    List<DatasetResult> ordered = new ArrayList<>(finished);
    ordered.sort((a, b) -> a.datasetId().compareTo(b.datasetId()));
    return new FleetReport(runId, ordered);
  }

  private DatasetResult runOne(
      PlannedDataset dataset, DatasetResult previous, ScheduledExecutorService watchdog) {
    DatasetSpec spec = dataset.spec();
    Timestamp started = now();
    if (previous != null
        && previous.status() == Status.SUCCEEDED
        && spec.hash().equals(previous.specHash())) {
      return skipped(spec, previous, started);
    }
    String group = "dsmigrate/" + runId + "/" + spec.id();
    SparkContext context = spark.sparkContext();
    int attempt = 0;
    while (true) {
      attempt++;
      AtomicBoolean timedOut = new AtomicBoolean();
      Thread worker = Thread.currentThread();
      int attemptNumber = attempt;
      DatasetMigration migration =
          new DatasetMigration(
              spark.newSession(),
              dataset,
              new RunContext(
                  runId,
                  planId,
                  partition,
                  settings.snapshotsDir(),
                  dryRun,
                  settings.resultsDatabase(),
                  settings.validationSamples(),
                  settings.queryFloatDigits()),
              previous,
              step -> {
                String description =
                    spec.id()
                        + ": "
                        + step
                        + (attemptNumber > 1 ? " (attempt " + attemptNumber + ")" : "");
                context.setJobGroup(
                    step.equals("undo") ? group + "/undo" : group, description, true);
              });
      ScheduledFuture<?> timer =
          watchdog.schedule(
              () -> {
                timedOut.set(true);
                LOG.warn(
                    "{}: over its timeout of {}; cancelling its Spark jobs",
                    spec.id(),
                    settings.datasetTimeout());
                context.cancelJobGroup(group);
                worker.interrupt();
              },
              settings.datasetTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
      try {
        migration.execute();
        timer.cancel(false);
        Status status = dryRun ? Status.DRY_RUN : Status.SUCCEEDED;
        LOG.info("{}: {}", spec.id(), status);
        return migration.result(status, attempt, started, now());
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable failure) { // one dataset's failure, whatever it is, never stops the others
        timer.cancel(false);
        Thread.interrupted();
        MigrationException classified =
            timedOut.get()
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
          DatasetResult partial = migration.result(Status.FAILED, attempt, started, now());
          return partial.withOutcome(
              Status.FAILED,
              classified.errorClass().name(),
              classified.getMessage(),
              started,
              now());
        }
        sleep(settings.retryBackoff().toMillis() << (attempt - 1));
      } finally {
        context.clearJobGroup();
      }
    }
  }

  private DatasetResult skipped(DatasetSpec spec, DatasetResult previous, Timestamp started) {
    Timestamp finished = now();
    return new DatasetResult(
        runId,
        planId,
        partition,
        spec.id(),
        Status.SKIPPED,
        previous.source(),
        spec.target().table() != null ? Names.table(spec.target().table()) : spec.target().path(),
        previous.targetLocation(),
        spec.transform().kind(),
        previous.inPlace(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "already migrated by run " + previous.runId() + " with the same spec",
        null,
        null,
        spec.hash(),
        0,
        spec.consumers(),
        started,
        finished,
        finished.getTime() - started.getTime(),
        null);
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
