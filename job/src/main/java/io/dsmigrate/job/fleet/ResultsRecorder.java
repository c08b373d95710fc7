package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends results rows in batches, and only then releases the leases of their datasets: until its
 * row is committed, an outcome stays in flight in the ledger, so a run killed before the batch is
 * appended loses no row (the next run appends it from the ledger) and never appends one twice (the
 * lease keeps other runs off until then).
 *
 * <p>A batch is committed once it is full, or once its first row has waited {@code interval}
 * (checked by a timer thread of its own, so a slow commit never delays the heartbeats), so that the
 * results table shows a run's progress even when few datasets finish.
 */
final class ResultsRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(ResultsRecorder.class);

  private final SparkSession spark;
  private final ResultsTable results;
  private final int batch;
  private final Heartbeats heartbeats;
  private final HaltPoint halt;
  private final List<DatasetResult> rows = new ArrayList<>();
  private final List<Lease> leases = new ArrayList<>();
  private final long intervalMillis;
  private ScheduledExecutorService timer;
  // When the oldest queued row was queued (epoch millis).
  private long oldest;

  ResultsRecorder(
      SparkSession spark,
      ResultsTable results,
      int batch,
      Duration interval,
      Heartbeats heartbeats,
      HaltPoint halt) {
    this.spark = requireNonNull(spark, "spark is null");
    this.results = requireNonNull(results, "results is null");
    this.batch = batch;
    this.intervalMillis = interval.toMillis();
    this.heartbeats = heartbeats;
    this.halt = requireNonNull(halt, "halt is null");
  }

  /** Starts committing rows that waited {@code interval}; {@link #stop} ends it. */
  synchronized void start() {
    if (timer != null) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "dsmigrate-results");
              thread.setDaemon(true);
              return thread;
            });
    long check = Math.max(200, intervalMillis / 5);
    timer.scheduleWithFixedDelay(this::flushIfDue, check, check, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the timer (the rows still queued are left to {@link #flush}); a commit it is making is
   * not interrupted.
   */
  synchronized void stop() {
    if (timer != null) {
      timer.shutdown();
      timer = null;
    }
  }

  private synchronized void flushIfDue() {
    if (rows.isEmpty() || System.currentTimeMillis() - oldest < intervalMillis) {
      return;
    }
    try {
      flush();
    } catch (RuntimeException e) {
      // The rows stay queued: the next batch, the next check or the fleet's last flush commits
      // them, and the ledger holds their outcomes meanwhile.
      LOG.warn("Cannot commit {} results rows yet: {}", rows.size(), e.getMessage());
    }
  }

  /** Queues a row; {@code lease} (or null) is released once the row is committed. */
  synchronized void add(DatasetResult result, Lease lease) {
    if (rows.isEmpty()) {
      oldest = System.currentTimeMillis();
    }
    rows.add(result);
    if (lease != null) {
      leases.add(lease);
    }
    if (rows.size() >= batch) {
      flush();
    }
  }

  /** Appends the queued rows in one Delta commit, then releases their leases. */
  synchronized void flush() {
    if (rows.isEmpty()) {
      return;
    }
    results.append(List.copyOf(rows));
    for (DatasetResult row : rows) {
      halt.reached(row.datasetId(), "APPENDED");
    }
    rows.clear();
    for (Lease lease : leases) {
      release(lease);
    }
    leases.clear();
  }

  /**
   * Records the outcome a stopped run left with its results row pending: appends the row unless
   * that run committed it before it stopped, then releases the lease.
   */
  void recordLeftOutcome(DatasetResult result, Lease lease) {
    boolean there =
        !spark
            .table(results.name())
            .where(
                col("run_id")
                    .equalTo(lit(result.runId()))
                    .and(col("dataset_id").equalTo(lit(result.datasetId())))
                    .and(col("status").equalTo(lit(result.status().name())))
                    .and(col("finished_at").equalTo(lit(result.finishedAt()))))
            .isEmpty();
    if (!there) {
      results.append(List.of(result));
    }
    release(lease);
  }

  private void release(Lease lease) {
    try {
      lease.release();
    } catch (LeaseLostException e) {
      LOG.warn("{}: {}", lease.datasetId(), e.getMessage());
    } finally {
      heartbeats.stop(lease);
    }
  }
}
