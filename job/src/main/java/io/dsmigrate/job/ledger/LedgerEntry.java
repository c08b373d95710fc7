package io.dsmigrate.job.ledger;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.results.DatasetResult;
import java.time.Instant;

/**
 * One generation of a dataset's ledger: the state it reached, who held it and until when, what the
 * migration had changed by then, and, once decided, its outcome. Entries are never changed; each
 * step writes the next generation.
 *
 * @param generation 1 for the first entry of a dataset, then one more for each entry
 * @param state where the dataset stands
 * @param recorded for an outcome: whether {@code result} is committed to the results table
 * @param owner who wrote the entry and holds the lease while the dataset is in flight
 * @param at when the entry was written (epoch millis)
 * @param leaseExpiresAt until when the owner holds the dataset unless it writes again (epoch
 *     millis)
 * @param heartbeat whether the entry only renews the lease (such entries are pruned)
 * @param specHash the hash of the spec being migrated
 * @param commitTag the Delta commit metadata ({@code userMetadata}) of the attempt's writes, by
 *     which a target write that committed is recognized after a crash
 * @param progress what the migration had found and changed, or null
 * @param result the outcome's results row, for outcomes; null otherwise
 * @param note why the entry was written, for people (a takeover, a recovery), or null
 */
public record LedgerEntry(
    long generation,
    String datasetId,
    LedgerState state,
    boolean recorded,
    LeaseOwner owner,
    long at,
    long leaseExpiresAt,
    boolean heartbeat,
    String specHash,
    String commitTag,
    MigrationProgress progress,
    DatasetResult result,
    String note) {

  public LedgerEntry {
    requireNonNull(datasetId, "datasetId is null");
    requireNonNull(state, "state is null");
    requireNonNull(owner, "owner is null");
  }

  /** Whether the dataset is in flight: someone holds it until the lease expires. */
  public boolean holdsLease() {
    return !state.outcome() || !recorded;
  }

  /** Whether the lease is held by someone that can still act on it. */
  public boolean heldByLiveOwner(long now) {
    return holdsLease() && now <= leaseExpiresAt && !owner.goneFromThisMachine();
  }

  /** "SUCCEEDED (results row pending) by run X on host (pid), lease until T". */
  public String describe() {
    return state
        + (state.outcome() && !recorded ? " (results row pending)" : "")
        + " by "
        + owner.describe()
        + (holdsLease() ? ", lease until " + Instant.ofEpochMilli(leaseExpiresAt) : "");
  }
}
