package io.dsmigrate.job.ledger;

/**
 * Where a dataset stands in the ledger. A dataset moves STARTED → SNAPSHOTTED (only when its source
 * is copied to be replaced in place) → WRITING → WRITTEN → CUTTING_OVER (only when its spec asks
 * for a cut-over) → SUCCEEDED, or to UNDOING and FAILED when a step fails. The outcomes are first
 * recorded with their results row pending, then again once that row is committed to the results
 * table.
 */
public enum LedgerState {
  /** The lease is taken; nothing is changed yet. */
  STARTED,
  /**
   * The source is copied to its snapshot (or recorded, to be converted to Delta in place); it may
   * be (partly) cleared (or converted) from here on.
   */
  SNAPSHOTTED,
  /** The target is being written; the write may or may not have committed. */
  WRITING,
  /** The target write committed; validation runs. */
  WRITTEN,
  /**
   * Validated; the source table is being renamed to its backup name and its name pointed at the
   * target. Either, both or neither may have happened.
   */
  CUTTING_OVER,
  /** A failed attempt's changes are being undone. */
  UNDOING,
  /** Migrated and validated. */
  SUCCEEDED(true),
  /** Not migrated; its changes were undone (or the undo failed, as its result says). */
  FAILED(true),
  /** Undone by a rollback. */
  ROLLED_BACK(true);

  private final boolean outcome;

  LedgerState() {
    this(false);
  }

  LedgerState(boolean outcome) {
    this.outcome = outcome;
  }

  /** An outcome: the dataset's run is over (once its results row is recorded, nobody holds it). */
  public boolean outcome() {
    return outcome;
  }
}
