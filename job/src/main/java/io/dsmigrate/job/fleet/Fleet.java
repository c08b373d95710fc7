package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.agent.Agents;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.plan.ExecutionPath;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Recovery;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>The fleet itself schedules: it hands each dataset to an agent thread, counts the wave's
 * outcomes ({@code WaveGuard}) and orders the report. The parts it hands work to each own one
 * thing: {@link Admission} decides from the ledger what to do with a dataset; {@code Admitter}
 * applies that decision (pause, lease, recovery) and hands the taken dataset ({@code Admitted}) to
 * its migration path, {@code Attempts}, the per-dataset Spark path (attempts, retries, timeout); a
 * second path, {@code AgentPath} (executor tasks), takes the small datasets planned for it and
 * hands back what it cannot finish. {@code WaveRollback} rolls a stopped wave back, and {@code
 * FleetRows} builds the rows of the datasets not migrated.
 */
public final class Fleet {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  private final SparkSession spark;
  private final FleetSettings settings;
  private String runId;
  private String planId;
  private int partition;
  private int wave = Plan.PILOT + 1;
  private boolean dryRun;
  private Map<String, Integer> partitionOf = Map.of();
  private ProgressListener listener = ProgressListener.NONE;
  private Notifier notifier = Notifier.NONE;

  private Fleet(SparkSession spark, FleetSettings settings) {
    this.spark = requireNonNull(spark, "spark is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  /** A fleet that runs with {@code settings} (dsmigrate's settings are one). */
  public static Fleet of(SparkSession spark, FleetSettings settings) {
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

  /** Where owners and consumers are told of datasets starting and finishing (not in a dry run). */
  public Fleet notifier(Notifier value) {
    this.notifier = requireNonNull(value, "notifier is null");
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
    FleetRows rows = rows();
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
    ExecutionContext execution =
        ExecutionContext.open(
            spark,
            settings,
            rows,
            dryRun,
            results,
            leaseKeeper,
            new FleetNotices(dryRun ? Notifier.NONE : notifier, runId, planId, datasets));
    // The per-dataset Spark path; every dataset is handed to it once admitted.
    Attempts attempts = new Attempts(execution, watchdog);
    Admitter admitter = new Admitter(execution, attempts);
    WaveGuard guard =
        new WaveGuard(wave, dryRun ? ErrorThreshold.NEVER : settings.errorThreshold());
    List<Future<?>> futures = Collections.synchronizedList(new ArrayList<>());
    // Records a dataset's outcome: counted by the wave, reported, its row appended.
    java.util.function.Consumer<Finished> record =
        outcome -> {
          guard.finished(outcome.result().status());
          finished.add(outcome.result());
          listener.finished(outcome.result(), done.incrementAndGet(), datasets.size());
          if (!dryRun) {
            execution.recorder().add(outcome.result(), outcome.lease());
            execution.notices().finished(outcome.result());
          }
        };
    java.util.function.Function<PlannedDataset, Finished> held =
        dataset -> {
          String stopped = guard.stoppedBy();
          return stopped == null
              ? null
              : Finished.unleased(
                  rows.notStarted(
                      dataset.spec(),
                      ERROR_THRESHOLD,
                      stopped
                          + ". Look at the wave's failures, fix the cause, then run the plan"
                          + " again"));
        };
    List<PlannedDataset> byAgents = new ArrayList<>();
    List<PlannedDataset> bySpark = new ArrayList<>();
    for (PlannedDataset dataset : datasets) {
      boolean agent =
          !dryRun && settings.agent().enabled() && dataset.path() == ExecutionPath.AGENT;
      (agent ? byAgents : bySpark).add(dataset);
    }
    int migratedByAgents = 0;
    if (!dryRun) {
      execution.recorder().start();
    }
    try {
      for (PlannedDataset dataset : bySpark) {
        futures.add(
            agents.submit(
                () -> {
                  Finished outcome = held.apply(dataset);
                  record.accept(
                      outcome != null
                          ? outcome
                          : admitter.run(dataset, previous.get(dataset.spec().id())));
                }));
      }
      if (!byAgents.isEmpty()) {
        AgentPath agentPath =
            new AgentPath(
                execution,
                admitter,
                Agents.of(spark, settings.security())
                    .limits(settings.agent().maxBytes(), (int) settings.agent().maxFiles())
                    .chunkSize(settings.agentChunk())
                    .timeout(settings.datasetTimeout()));
        migratedByAgents =
            agentPath.run(
                byAgents,
                previous,
                held,
                record,
                admitted ->
                    futures.add(agents.submit(() -> record.accept(attempts.migrate(admitted)))));
      }
      for (Future<?> future : List.copyOf(futures)) {
        try {
          future.get();
        } catch (Exception e) {
          LOG.error("An agent failed outside any dataset", e);
        }
      }
      if (!dryRun) {
        execution.recorder().flush();
        if (guard.stoppedBy() != null) {
          List<DatasetResult> outcomes;
          synchronized (finished) {
            outcomes = List.copyOf(finished);
          }
          for (DatasetResult rolledBack :
              new WaveRollback(execution).execute(outcomes, guard.stoppedBy())) {
            replace(finished, rolledBack);
          }
        }
      }
    } finally {
      execution.recorder().stop();
      agents.shutdownNow();
      watchdog.shutdownNow();
      leaseKeeper.shutdownNow();
    }
    List<DatasetResult> ordered = new ArrayList<>(finished);
    ordered.sort((a, b) -> a.datasetId().compareTo(b.datasetId()));
    return new FleetReport(runId, ordered, guard.stoppedBy(), migratedByAgents);
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
    FleetRows notStarted = rows();
    List<DatasetResult> rows = new ArrayList<>();
    for (PlannedDataset dataset : datasets) {
      rows.add(notStarted.notStarted(dataset.spec(), errorClass, reason));
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

  /** The rows of this fleet's run, plan, wave and partitions. */
  private FleetRows rows() {
    return new FleetRows(runId, planId, wave, partition, partitionOf);
  }

  private static void replace(List<DatasetResult> outcomes, DatasetResult newer) {
    synchronized (outcomes) {
      outcomes.replaceAll(r -> r.datasetId().equals(newer.datasetId()) ? newer : r);
    }
  }

  /**
   * A row for a dataset that this run held back and did not start, for the reason that {@code
   * errorClass} names (the error threshold, or a pilot that did not pass).
   */
  public DatasetResult notStarted(DatasetSpec spec, String errorClass, String reason) {
    return rows().notStarted(spec, errorClass, reason);
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
