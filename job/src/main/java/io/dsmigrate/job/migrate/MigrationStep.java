package io.dsmigrate.job.migrate;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LedgerState;
import java.util.Optional;

/**
 * The steps of a {@link DatasetMigration}, in the order it takes them. Each names itself for the
 * Spark UI and carries the ledger state recorded as it begins, if any: the ledger says how far a
 * dataset got, so that a run that stops can be picked up ({@link
 * io.dsmigrate.job.rollback.Recovery}). Clearing a source or converting it in place begins only
 * once SNAPSHOTTED is recorded, because those constants carry it.
 */
public enum MigrationStep {
  /** Find the source in the metastore or on the file system, and read it. */
  RESOLVE_SOURCE("resolve source"),
  /** A dry run's only step: the transform is planned over the source, nothing is written. */
  DRY_RUN_CHECK("dry run: check transform"),
  /** Copy a source that is replaced in place to its snapshot, or pin its Delta version. */
  SNAPSHOT_SOURCE("snapshot source"),
  /** Remove a source that is replaced in place, once its snapshot is taken. */
  CLEAR_SOURCE("clear source", LedgerState.SNAPSHOTTED),
  /** Convert a Parquet source to Delta where it stands, once what an undo needs is recorded. */
  CONVERT_TO_DELTA("convert to delta", LedgerState.SNAPSHOTTED),
  /** Write the transformed rows to the target. */
  WRITE_TARGET("write target", LedgerState.WRITING),
  /** Compare the committed target with the transformed source. */
  VALIDATE("validate", LedgerState.WRITTEN),
  /** Run one consumer query over the source and the target; taken once per query, numbered. */
  CONSUMER_QUERY("consumer query"),
  /** Give the source table's name to the target, keeping the source under its backup name. */
  CUT_OVER("cut over", LedgerState.CUTTING_OVER),
  /** Undo the changes of an attempt that failed. */
  UNDO("undo", LedgerState.UNDOING);

  /** Told of each step of a migration as it begins, before it changes anything. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param description what the Spark UI shows for it: {@link #description()}, or {@link
     *     #description(int)} for a numbered step
     */
    void started(MigrationStep step, String description);
  }

  private final String description;
  private final LedgerState ledgerState;

  MigrationStep(String description) {
    this(description, null);
  }

  MigrationStep(String description, LedgerState ledgerState) {
    this.description = requireNonNull(description, "description is null");
    this.ledgerState = ledgerState;
  }

  /** What the Spark UI shows while the step runs. */
  public String description() {
    return description;
  }

  /** What the Spark UI shows while the {@code number}th of a step taken more than once runs. */
  public String description(int number) {
    return description + " " + number;
  }

  /**
   * The ledger state recorded as the step begins; empty for a step that changes neither source nor
   * target.
   */
  public Optional<LedgerState> ledgerState() {
    return Optional.ofNullable(ledgerState);
  }
}
