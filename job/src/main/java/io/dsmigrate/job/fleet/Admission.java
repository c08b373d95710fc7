package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Recovery;
import java.time.Instant;

/**
 * Decides what a run does with a dataset, from the head of the dataset's ledger: a pure function of
 * the head, the dataset's previous outcome, the spec's hash, this run's lease owner and the time,
 * with no Spark, ledger writes or waiting (whoever applies the decision does those).
 *
 * <table>
 *   <caption>The decision by ledger head</caption>
 *   <tr><th>Ledger head</th><th>Decision</th></tr>
 *   <tr><td>held by another run that is alive (its lease not expired, its process not gone), and
 *       this run may still wait</td><td>{@link Wait}: look again after a heartbeat</td></tr>
 *   <tr><td>held by another live run, and this run may not wait</td><td>{@link Skip}: the other
 *       run is migrating it</td></tr>
 *   <tr><td>none, or an outcome whose results row is recorded, and the previous outcome SUCCEEDED
 *       with the same spec hash</td><td>{@link Skip}: already migrated</td></tr>
 *   <tr><td>none, or a recorded outcome, otherwise</td><td>{@link Admit}: take the lease and
 *       migrate from the start</td></tr>
 *   <tr><td>in flight (or an outcome whose row is pending), held by a run that stopped or by this
 *       run</td><td>{@link Recover}: take the lease and pick up what was left ({@link
 *       Recovery})</td></tr>
 * </table>
 *
 * The previous outcome is the newest of the results table's row and the head's settled outcome: the
 * ledger orders a dataset's outcomes by generation, whatever the hosts' clocks say.
 */
public final class Admission {
  private Admission() {}

  /** What to do with the dataset; each decision carries the previous outcome it was made with. */
  public sealed interface Decision permits Admit, Skip, Wait, Recover {
    /** The dataset's previous outcome (null: none), for its row. */
    DatasetResult previous();
  }

  /** Take the lease and migrate the dataset from the start. */
  public record Admit(DatasetResult previous) implements Decision {}

  /** Do not migrate the dataset; {@code reason} says why, for its SKIPPED row. */
  public record Skip(String reason, DatasetResult previous) implements Decision {
    public Skip {
      requireNonNull(reason, "reason is null");
    }
  }

  /** Another live run holds the dataset: look again later. */
  public record Wait(LedgerEntry head, DatasetResult previous) implements Decision {
    public Wait {
      requireNonNull(head, "head is null");
    }
  }

  /** Take the lease over from {@code left}, a run that stopped in flight, and pick up from it. */
  public record Recover(LedgerEntry left, DatasetResult previous) implements Decision {
    public Recover {
      requireNonNull(left, "left is null");
    }
  }

  /**
   * Decides what {@code self} does with a dataset.
   *
   * @param head the dataset's ledger head, or null when it has no ledger (or in a dry run)
   * @param recorded the dataset's newest row in the results table, or null
   * @param specHash the hash of the spec to migrate
   * @param now the time (epoch millis), to tell a live lease from an expired one
   * @param mayWait whether this run still waits for a dataset another run holds
   */
  public static Decision decide(
      LedgerEntry head,
      DatasetResult recorded,
      String specHash,
      LeaseOwner self,
      long now,
      boolean mayWait) {
    requireNonNull(specHash, "specHash is null");
    requireNonNull(self, "self is null");
    DatasetResult previous = previous(head, recorded);
    if (head != null && head.heldByLiveOwner(now) && !self.sameAs(head.owner())) {
      if (mayWait) {
        return new Wait(head, previous);
      }
      return new Skip(
          "not migrated: leased by "
              + head.owner().describe()
              + " until "
              + Instant.ofEpochMilli(head.leaseExpiresAt())
              + ", which is migrating it now (it stands at "
              + head.state()
              + "). Its results row tells how it ends",
          previous);
    }
    if (head != null && head.holdsLease()) {
      return new Recover(head, previous);
    }
    if (previous != null
        && previous.status() == Status.SUCCEEDED
        && specHash.equals(previous.specHash())) {
      return new Skip(
          "already migrated by run " + previous.runId() + " with the same spec", previous);
    }
    return new Admit(previous);
  }

  /** The dataset's previous outcome: the head's settled outcome, else the recorded row. */
  static DatasetResult previous(LedgerEntry head, DatasetResult recorded) {
    return head != null && !head.holdsLease() && head.result() != null ? head.result() : recorded;
  }
}
