package io.dsmigrate.job.rollback;

import static java.util.Objects.requireNonNull;

import io.delta.tables.DeltaTable;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.snapshot.Snapshot;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.validation.DatasetSource;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks up a dataset that a run left in flight when it stopped (killed, crashed, lost), from the
 * ledger entry it left, under the lease this run took over:
 *
 * <ul>
 *   <li>STARTED: nothing was changed; migrate it.
 *   <li>SNAPSHOTTED or UNDOING: the source may be partly cleared, or an undo half done; undo from
 *       the snapshot (again: undoing is idempotent), then migrate it.
 *   <li>WRITING: if the target's Delta history holds a commit tagged with that attempt's commit tag
 *       (and a table target is registered), the write committed: go on as WRITTEN. Otherwise undo
 *       whatever part of the write exists, then migrate it.
 *   <li>WRITTEN: validate the target that was written, without writing it again. A source converted
 *       to Delta in place is undone and converted again instead (nothing is rewritten either way).
 *   <li>CUTTING_OVER: the target was validated; the source table may have been renamed to its
 *       backup name, and its name pointed at the target. Undo that (whatever part was done), then
 *       go on as WRITTEN: validate again and cut over again.
 *   <li>An outcome whose results row was pending: that row is the outcome; record it.
 * </ul>
 *
 * A spec that changed since the entry was written is never resumed: what was done for the old spec
 * is undone, and the dataset is migrated with the new one.
 */
public final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  private Recovery() {}

  /** What the fleet does next with the dataset. */
  public sealed interface Next permits Fresh, Resume, Outcome {}

  /** Migrate from the start (anything left was undone). */
  public record Fresh() implements Next {}

  /** Validate the committed write that {@code written} describes, then record the outcome. */
  public record Resume(MigrationProgress written) implements Next {
    public Resume {
      requireNonNull(written, "written is null");
    }
  }

  /** The outcome was decided; only its results row may be missing. */
  public record Outcome(DatasetResult result) implements Next {
    public Outcome {
      requireNonNull(result, "result is null");
    }
  }

  /**
   * Undoes or picks up what {@code left} describes.
   *
   * @param ownership what the dataset's attempts wrote: only that is undone
   * @throws MigrationException (ROLLBACK_FAILED) when what was left cannot be undone
   */
  public static Next prepare(
      SparkSession spark, Lease lease, LedgerEntry left, DatasetSpec spec, Ownership ownership) {
    if (left.state().outcome()) {
      return left.result() == null ? new Fresh() : new Outcome(left.result());
    }
    MigrationProgress progress = left.progress();
    boolean sameSpec = spec.hash().equals(left.specHash());
    if (left.state() == LedgerState.STARTED || progress == null) {
      return new Fresh();
    }
    // A conversion in place is not resumed but undone and done again: it is metadata only, and
    // the Parquet rows it is validated against were read before it.
    boolean converted =
        progress.snapshot() != null
            && Snapshot.parse(progress.snapshot()).kind() == Snapshot.Kind.CONVERT;
    if (sameSpec
        && !converted
        && (left.state() == LedgerState.WRITTEN
            || (left.state() == LedgerState.WRITING && committed(spark, left)))) {
      LOG.info(
          "{}: its write committed before {} stopped; validating it",
          spec.id(),
          left.owner().describe());
      return new Resume(progress);
    }
    if (sameSpec && left.state() == LedgerState.CUTTING_OVER) {
      LOG.info(
          "{}: {} stopped while cutting over; undoing the cut-over, then validating again",
          spec.id(),
          left.owner().describe());
      lease.record(LedgerState.UNDOING, progress, null, "undoing the cut-over left unfinished");
      undo(spark, lease, left, spec, ownership, false);
      MigrationProgress written = progress.withoutCutOver();
      lease.record(LedgerState.WRITTEN, written, null, "cut-over undone; validating again");
      return new Resume(written);
    }
    LOG.info("{}: undoing what {} left at {}", spec.id(), left.owner().describe(), left.state());
    lease.record(LedgerState.UNDOING, progress, null, "undoing what was left at " + left.state());
    undo(spark, lease, left, spec, ownership, true);
    lease.record(LedgerState.STARTED, null, null, "undone what was left at " + left.state());
    return new Fresh();
  }

  /** Undoes the cut-over that {@code left} may have begun and, if {@code all}, every change. */
  private static void undo(
      SparkSession spark,
      Lease lease,
      LedgerEntry left,
      DatasetSpec spec,
      Ownership ownership,
      boolean all) {
    MigrationProgress progress = left.progress();
    try {
      // The undo's own commits carry the tag of the attempt it undoes (recorded in the ledger).
      Undo undo = Undo.of(spark, ownership, lease.current().commitTag());
      Undo.Changes changes = Undo.Changes.of(spec.id(), progress);
      if (all) {
        undo.check(changes);
      }
      undo.cutOver(changes);
      if (all) {
        undo.apply(changes);
      }
    } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
      throw new MigrationException(
          ErrorClass.ROLLBACK_FAILED,
          "Cannot migrate "
              + spec.id()
              + ": "
              + left.owner().describe()
              + " stopped at "
              + left.state()
              + " and undoing what it left failed: "
              + e.getMessage()
              + (progress.backupTable() != null
                  ? ". Check that "
                      + progress.source().table()
                      + " is the old table (its backup name is "
                      + progress.backupTable()
                      + ")"
                  : "")
              + (progress.snapshot() != null
                  ? ". Restore the source by hand from snapshot " + progress.snapshot()
                  : ". Remove the target " + progress.targetLocation() + " by hand")
              + ", then run again",
          e);
    }
  }

  /** Whether the write of the attempt that {@code entry} describes committed. */
  static boolean committed(SparkSession spark, LedgerEntry entry) {
    MigrationProgress progress = entry.progress();
    if (entry.commitTag() == null || progress.targetLocation() == null) {
      return false;
    }
    if (!DeltaTable.isDeltaTable(spark, progress.targetLocation())) {
      // A Parquet target carries the tag in the marker written with its data.
      return entry.commitTag().equals(Ownership.marker(spark, progress.targetLocation()))
          && (progress.target() == null
              || DatasetSource.isPath(progress.target())
              || spark.catalog().tableExists(progress.target()));
    }
    boolean tagged =
        !DeltaTable.forPath(spark, progress.targetLocation())
            .history()
            .where(functions.expr(Ownership.COMMIT_TAG_SQL).equalTo(entry.commitTag()))
            .isEmpty();
    // A table's data may commit before the metastore registers it; without the table the write
    // is not whole, and is undone instead.
    return tagged
        && (progress.target() == null
            || DatasetSource.isPath(progress.target())
            || spark.catalog().tableExists(progress.target()));
  }
}
