package io.dsmigrate.job.progress;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands at one moment: what the console of the run and {@code dsmigrate status
 * --watch} elsewhere both show. Read from the ledger (the datasets in flight, with their step, and
 * the outcomes it holds) and the run's {@link RunRecord}s (the datasets planned, with their sizes,
 * and the outcomes the ledger does not hold) by {@link RunWatch}.
 *
 * @param at when it was read (epoch millis)
 * @param startedAt when the run started (epoch millis), 0 when unknown
 * @param liveness whether the run is at work, done, or gone
 * @param why for a run that looks stopped: why it looks so; null otherwise
 * @param total the datasets of the run (of the parts that started)
 * @param totalBytes their sizes as planned
 * @param done the datasets done, by their outcome
 * @param migrated the datasets done that the run migrated (succeeded, failed or rolled back; not
 *     those it skipped or held back, which take no time): the basis of the estimate
 * @param migratedBytes their sizes
 * @param inFlight the datasets at work now, the longest-running first
 * @param remaining the datasets not done (in flight or not started)
 * @param remainingBytes their sizes
 */
public record RunProgress(
    String runId,
    long at,
    long startedAt,
    Liveness liveness,
    String why,
    int total,
    long totalBytes,
    Map<Status, Integer> done,
    int migrated,
    long migratedBytes,
    List<InFlight> inFlight,
    int remaining,
    long remainingBytes) {

  public RunProgress {
    requireNonNull(runId, "runId is null");
    requireNonNull(liveness, "liveness is null");
    done = done.isEmpty() ? Map.of() : new EnumMap<>(done);
    inFlight = List.copyOf(inFlight);
  }

  /** Whether a run is at work. */
  public enum Liveness {
    /** A process of the run is at work (it published its progress lately, or holds a dataset). */
    RUNNING,
    /** Every process of the run said it is done. */
    ENDED,
    /** No process of the run has been heard of for longer than a lease, and it holds nothing. */
    STOPPED,
    /** The ledger knows nothing of the run. */
    NOT_FOUND
  }

  /**
   * A dataset in flight.
   *
   * @param step the step it is at (the ledger state)
   * @param since when the run took it (epoch millis)
   * @param stepSince when it reached its step (epoch millis)
   */
  public record InFlight(String datasetId, LedgerState step, long since, long stepSince) {
    public InFlight {
      requireNonNull(datasetId, "datasetId is null");
      requireNonNull(step, "step is null");
    }
  }

  /**
   * How long the rest may take.
   *
   * @param left the estimate, or null when there is no basis for one
   * @param basis how it was made ("by size", "by count"), or why there is none
   */
  public record Eta(Duration left, String basis) {}

  /** The datasets done. */
  public int doneCount() {
    return done.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** How long the run has been at it, or null when its start is unknown. */
  public Duration elapsed() {
    return startedAt == 0 ? null : Duration.ofMillis(Math.max(0, at - startedAt));
  }

  /**
   * The time left: the bytes not done at the pace of the bytes migrated so far (all of the run's
   * time over them: concurrency and every step included); by count while the datasets migrated had
   * no size; none before any was migrated.
   */
  public Eta eta() {
    if (remaining == 0) {
      return new Eta(Duration.ZERO, "nothing left");
    }
    Duration elapsed = elapsed();
    if (elapsed == null) {
      return new Eta(null, "the run's start is unknown");
    }
    if (migratedBytes > 0 && remainingBytes > 0) {
      return new Eta(scaled(elapsed, remainingBytes, migratedBytes), "by size");
    }
    if (migrated > 0) {
      return new Eta(scaled(elapsed, remaining, migrated), "by count");
    }
    return new Eta(null, "no dataset migrated yet");
  }

  /** Bytes migrated per second so far, or -1 when the run's start is unknown. */
  public double bytesPerSecond() {
    Duration elapsed = elapsed();
    return elapsed == null || elapsed.isZero() ? -1 : migratedBytes * 1000.0 / elapsed.toMillis();
  }

  /** Datasets migrated per minute so far, or -1 when the run's start is unknown. */
  public double datasetsPerMinute() {
    Duration elapsed = elapsed();
    return elapsed == null || elapsed.isZero() ? -1 : migrated * 60_000.0 / elapsed.toMillis();
  }

  /** Whether some dataset failed or was held back: what makes {@code status} exit 1. */
  public boolean someFailedOrHeld() {
    return done.containsKey(Status.FAILED) || done.containsKey(Status.NOT_STARTED);
  }

  private static Duration scaled(Duration elapsed, long left, long done) {
    return Duration.ofMillis(
        (long) ((double) elapsed.toMillis() * ((double) left / (double) done)));
  }
}
