package io.dsmigrate.job.ledger;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.results.DatasetResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's hold on one dataset in the {@link Ledger}: it records the dataset's steps, renews itself
 * while the dataset runs ({@link #renew}, from a heartbeat), and ends when the outcome is recorded
 * ({@link #release}). Every write is the next generation of the dataset's ledger, so a write that
 * finds its generation taken means another run took the dataset over: the lease is lost, and every
 * later write throws {@link LeaseLostException}.
 */
public final class Lease {
  private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

  private final Ledger ledger;
  private final String specHash;
  private final long leaseMillis;
  private final HaltPoint halt;
  private LedgerEntry current;
  private String commitTag;
  private volatile String lostTo;
  // What an undo that failed left to undo; the dataset stays UNDOING after its outcome.
  private MigrationProgress undoLeft;
  private String undoFailure;
  private boolean released;

  Lease(Ledger ledger, LedgerEntry first, String specHash, Duration lease, HaltPoint halt) {
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.current = requireNonNull(first, "first is null");
    this.specHash = requireNonNull(specHash, "specHash is null");
    this.leaseMillis = lease.toMillis();
    this.halt = requireNonNull(halt, "halt is null");
    this.commitTag = first.commitTag();
  }

  public String datasetId() {
    return current.datasetId();
  }

  /** The newest entry this lease wrote. */
  public synchronized LedgerEntry current() {
    return current;
  }

  /** The Delta commit metadata the attempt's writes carry; recorded with every later step. */
  public synchronized void commitTag(String tag) {
    this.commitTag = tag;
  }

  /** Records a step (or an outcome with its results row still pending). */
  public synchronized void record(
      LedgerState state, MigrationProgress progress, DatasetResult result, String note) {
    write(state, false, false, progress, result, note);
    halt.reached(datasetId(), state.name());
  }

  /**
   * Says that the outcome about to be recorded is a failure whose undo failed too: once its results
   * row is committed, the dataset is left UNDOING (with {@code progress}) instead of free, so that
   * the next run finishes the undo before anything else.
   */
  public synchronized void leaveUndoing(MigrationProgress progress, String why) {
    this.undoLeft = requireNonNull(progress, "progress is null");
    this.undoFailure = why;
  }

  /**
   * Records that the outcome's results row is committed; the dataset is free from now on, or, when
   * its undo failed ({@link #leaveUndoing}), left UNDOING for the next run to take at once.
   */
  public synchronized void release() {
    if (current.holdsLease() && current.state().outcome()) {
      write(current.state(), true, false, current.progress(), current.result(), null);
      if (undoLeft != null) {
        write(
            LedgerState.UNDOING,
            false,
            false,
            undoLeft,
            null,
            "its undo failed; the next run undoes it before anything else: " + undoFailure,
            0);
        halt.reached(datasetId(), LedgerState.UNDOING.name());
      }
    }
    released = true;
  }

  /**
   * Renews the lease for another lease period, unless it has ended.
   *
   * @return false when the lease is lost: the dataset must stop
   */
  public synchronized boolean renew() {
    if (lostTo != null) {
      return false;
    }
    if (released || !current.holdsLease()) {
      return true;
    }
    try {
      write(current.state(), false, true, current.progress(), current.result(), null);
      return true;
    } catch (LeaseLostException e) {
      return false;
    } catch (UncheckedIOException e) {
      if (System.currentTimeMillis() > current.leaseExpiresAt()) {
        lostTo =
            "nobody known yet: its lease expired at "
                + Instant.ofEpochMilli(current.leaseExpiresAt())
                + " while the ledger could not be written ("
                + e.getMessage()
                + ")";
        return false;
      }
      LOG.warn("{}: cannot renew its lease yet: {}", datasetId(), e.getMessage());
      return true;
    }
  }

  /** Whether another run took the dataset over. */
  public boolean lost() {
    return lostTo != null;
  }

  /** Who holds the dataset now that this lease is lost. */
  public String lostTo() {
    return lostTo;
  }

  private void write(
      LedgerState state,
      boolean recorded,
      boolean heartbeat,
      MigrationProgress progress,
      DatasetResult result,
      String note) {
    write(state, recorded, heartbeat, progress, result, note, leaseMillis);
  }

  private void write(
      LedgerState state,
      boolean recorded,
      boolean heartbeat,
      MigrationProgress progress,
      DatasetResult result,
      String note,
      long leaseFor) {
    if (lostTo != null) {
      throw lostException();
    }
    long now = System.currentTimeMillis();
    LedgerEntry next =
        new LedgerEntry(
            current.generation() + 1,
            current.datasetId(),
            state,
            recorded,
            current.owner(),
            now,
            now + leaseFor,
            heartbeat,
            specHash,
            commitTag,
            progress,
            result,
            note);
    boolean written;
    try {
      written = ledger.write(next);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot record "
              + state
              + " for "
              + datasetId()
              + " in the ledger at "
              + ledger.location()
              + ": "
              + e.getMessage()
              + ". Check that dsmigrate.ledger.dir is writable",
          e);
    }
    if (!written) {
      LedgerEntry holder = ledger.head(datasetId());
      lostTo = holder == null ? "another run" : holder.owner().describe();
      throw lostException();
    }
    LedgerEntry previous = current;
    current = next;
    if (previous.heartbeat()) {
      try {
        ledger.prune(previous);
      } catch (IOException e) {
        LOG.debug("{}: cannot prune heartbeat {}", datasetId(), previous.generation(), e);
      }
    }
  }

  private LeaseLostException lostException() {
    return new LeaseLostException(
        "Stopped migrating "
            + datasetId()
            + ": "
            + current.owner().describe()
            + " lost its lease to "
            + lostTo
            + ", which finishes the dataset. Raise dsmigrate.ledger.lease-duration if drivers"
            + " stall for longer than it");
  }
}
