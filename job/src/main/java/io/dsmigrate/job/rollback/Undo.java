package io.dsmigrate.job.rollback;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.cutover.CutOver;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.snapshot.Conversions;
import io.dsmigrate.job.snapshot.Snapshot;
import io.dsmigrate.job.snapshot.Snapshots;
import io.dsmigrate.job.spec.Names;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what a migration of one dataset did: gives a source table that was cut over its name back,
 * restores a source replaced in place from its snapshot, puts an overwritten Delta target back to
 * its previous version, or removes a target the migration created (table and files).
 *
 * <p>Nothing is removed, restored over or dropped that {@link Ownership} does not prove the
 * migration wrote: a target that holds someone else's data is left as it is (there is nothing of
 * the migration's to undo there), and a target that received commits of others after the
 * migration's own is refused ({@link Refused}, naming those commits) unless {@link #force} says to
 * go ahead. Undo's own Delta commits ({@code RESTORE}) carry the tag it is given, so that they
 * count as dsmigrate's own afterwards.
 *
 * <pre>{@code
 * Undo.of(spark, ownership, tag).dataset(result);
 * }</pre>
 */
public final class Undo {
  private static final Logger LOG = LoggerFactory.getLogger(Undo.class);

  private final SparkSession spark;
  private final Ownership ownership;
  private boolean force;

  private Undo(SparkSession spark, Ownership ownership, String tag) {
    requireNonNull(spark, "spark is null");
    this.ownership = requireNonNull(ownership, "ownership is null");
    if (tag != null && !tag.equals(spark.conf().get(Ownership.COMMIT_TAG_CONF, null))) {
      spark = spark.newSession();
      spark.conf().set(Ownership.COMMIT_TAG_CONF, tag);
    }
    this.spark = spark;
  }

  /**
   * @param ownership what the undone attempts wrote
   * @param tag the commit tag of the undo's own Delta commits, recorded in the dataset's ledger
   *     (null: the session's own)
   */
  public static Undo of(SparkSession spark, Ownership ownership, String tag) {
    return new Undo(spark, ownership, tag);
  }

  /** Undo even over commits that others made after the migration (a rollback's {@code --force}). */
  public Undo force(boolean value) {
    this.force = value;
    return this;
  }

  /** An undo that would destroy what others wrote; nothing was changed. */
  public static final class Refused extends IllegalStateException {
    public Refused(String message) {
      super(message);
    }
  }

  /** What a migration changed, as its results row or its ledger progress records it. */
  public record Changes(
      String datasetId,
      String target,
      String targetLocation,
      String snapshot,
      Long targetPreviousVersion,
      boolean targetCreated,
      String source,
      String backupTable) {
    public Changes {
      requireNonNull(datasetId, "datasetId is null");
    }

    /** The changes of a finished migration, from its results row. */
    public static Changes of(DatasetResult result) {
      return new Changes(
          result.datasetId(),
          result.target(),
          result.targetLocation(),
          result.snapshot(),
          result.targetPreviousVersion(),
          false,
          result.source(),
          result.backupTable());
    }

    /** What an undo of an attempt has to undo, from the progress its ledger recorded. */
    public static Changes of(String datasetId, MigrationProgress progress) {
      return new Changes(
          datasetId,
          progress.target(),
          progress.targetLocation(),
          progress.snapshot(),
          progress.targetPreviousVersion(),
          progress.targetCreated(),
          progress.source() == null ? null : progress.source().table(),
          progress.backupTable());
    }

    /** The table name of the target, or null when the target is a path. */
    String targetTable() {
      return target == null || target.contains("/") || target.contains(":") ? null : target;
    }
  }

  /** Undoes every change of a finished migration that its results row records. */
  public void dataset(DatasetResult result) throws IOException {
    all(Changes.of(result));
  }

  /** Undoes a cut-over (if one began), then every other change. */
  public void all(Changes changes) throws IOException {
    // Undoing the cut-over leaves the target's history as it is: one proof serves both steps.
    Ownership.Proof proof = proof(changes);
    refuseOverOthers(changes, proof);
    cutOver(changes);
    apply(changes, proof);
  }

  /**
   * Checks, without changing anything, that undoing {@code changes} destroys nothing of others.
   *
   * @throws Refused naming the commits of others, unless {@link #force} is set
   */
  public void check(Changes changes) {
    refuseOverOthers(changes, proof(changes));
  }

  private void refuseOverOthers(Changes changes, Ownership.Proof proof) {
    if (proof == null || force) {
      return;
    }
    boolean copied =
        changes.snapshot() != null
            && Snapshot.parse(changes.snapshot()).kind() == Snapshot.Kind.COPY;
    if (copied && proof.state() == Ownership.State.NOT_OURS) {
      // Restoring the copied source would replace what now stands at its location.
      throw new Refused(
          "Cannot undo the migration of "
              + changes.datasetId()
              + ": the source's location "
              + changes.targetLocation()
              + " now holds data that this migration did not write ("
              + proof.detail()
              + "), and restoring the source from its snapshot "
              + changes.snapshot()
              + " would replace it, so nothing was changed. Move that data away, or roll back with"
              + " --force to replace it");
    }
    boolean converted =
        changes.snapshot() != null
            && Snapshot.parse(changes.snapshot()).kind() == Snapshot.Kind.CONVERT;
    if (converted && proof.version() != null && proof.state() == Ownership.State.NOT_OURS) {
      // The Delta log at the source's location is not the conversion's: removing it would
      // destroy someone else's table.
      throw new Refused(
          "Cannot undo the conversion of "
              + changes.datasetId()
              + " to Delta in place: the Delta log at "
              + changes.targetLocation()
              + " was not written by this migration ("
              + proof.detail()
              + "), so nothing was changed. Roll back with --force to remove it anyway");
    }
    if (proof.state() == Ownership.State.OURS && !proof.foreign().isEmpty()) {
      throw new Refused(
          "Cannot undo the migration of "
              + changes.datasetId()
              + ": its target "
              + changes.targetLocation()
              + " received commits that this migration did not make: "
              + proof.describeForeign()
              + ". Undoing it would destroy them, so nothing was changed. Keep the migration, or"
              + " move those writes elsewhere first, or roll back with --force to discard them");
    }
  }

  /**
   * Gives a table that was cut over its old data back (the table over the target is dropped and the
   * backup renamed back). Nothing happens when no cut-over began. Run it before the other changes
   * are undone, since they remove the target.
   */
  public void cutOver(Changes changes) {
    if (changes.backupTable() != null) {
      CutOver.of(
              spark,
              changes.datasetId(),
              changes.source(),
              changes.backupTable(),
              changes.targetLocation())
          .undo();
    }
  }

  /** Undoes the changes other than a cut-over. */
  public void apply(Changes changes) throws IOException {
    Ownership.Proof proof = proof(changes);
    refuseOverOthers(changes, proof);
    apply(changes, proof);
  }

  private void apply(Changes changes, Ownership.Proof proof) throws IOException {
    String location = changes.targetLocation();
    if (changes.snapshot() != null) {
      Snapshot taken = Snapshot.parse(changes.snapshot());
      if (taken.kind() == Snapshot.Kind.CONVERT) {
        unconvert(changes, taken, proof);
      } else if (taken.kind() == Snapshot.Kind.COPY) {
        // The source was copied, then cleared; whatever stands at its location now is the
        // migration's target or what is left of the source, and the snapshot holds the source.
        removeTarget(changes, proof, true);
        Snapshots.restore(spark, taken);
      } else if (proof.state() == Ownership.State.OURS) {
        Snapshots.restore(spark, taken);
      } else {
        LOG.info(
            "{}: no commit of the migration at {}; nothing to restore",
            changes.datasetId(),
            location);
      }
    } else if (changes.targetPreviousVersion() != null) {
      if (proof.state() == Ownership.State.OURS) {
        spark.sql(
            "RESTORE TABLE delta.`"
                + location.replace("`", "``")
                + "` TO VERSION AS OF "
                + changes.targetPreviousVersion());
      }
    } else if (proof != null) {
      removeTarget(changes, proof, false);
    }
  }

  /**
   * Undoes a conversion to Delta in place: the table definition goes back to what was recorded
   * before the conversion, then the Delta log is removed. The data files are not touched, and must
   * be the recorded ones (else nothing is changed). A conversion that never committed left at most
   * an empty log directory. In this order, an undo stopped half-way is finished by the next one:
   * the log, still there, proves the definition is the conversion's to restore.
   */
  private void unconvert(Changes changes, Snapshot taken, Ownership.Proof proof)
      throws IOException {
    Conversions.Recorded recorded = Conversions.read(spark, taken);
    String location = recorded.location();
    if (proof.version() == null) {
      if (!Conversions.hasCommits(spark, location)
          && recorded.files().keySet().stream().noneMatch(f -> f.startsWith("_delta_log/"))) {
        // The attempt found no log here before it converted; an empty one is what it began.
        Conversions.removeLog(spark, location);
      }
      LOG.info(
          "{}: no conversion committed at {}; nothing else to undo", changes.datasetId(), location);
      return;
    }
    List<String> changed = Conversions.changedFiles(spark, recorded);
    if (!changed.isEmpty()) {
      throw new IOException(
          "the files of "
              + location
              + " are no longer those recorded before the conversion ("
              + String.join("; ", changed.subList(0, Math.min(10, changed.size())))
              + "), so the Parquet source cannot be restored as it was; nothing was changed."
              + " The record is in "
              + taken.location());
    }
    if (force) {
      // Discarding others' writes on purpose: files added since the conversion are theirs.
      for (String file : Conversions.files(spark, location).keySet()) {
        if (!recorded.files().containsKey(file) && !file.startsWith("_delta_log/")) {
          LOG.warn(
              "{}: --force: removing {} (written after the conversion)", changes.datasetId(), file);
          Conversions.deleteFile(spark, location, file);
        }
      }
    }
    Conversions.restoreDefinition(spark, recorded);
    Conversions.removeLog(spark, location);
  }

  /** What of the target's location the undone attempts wrote; null when it has no location. */
  private Ownership.Proof proof(Changes changes) {
    if (changes.targetLocation() == null) {
      return null;
    }
    Long since = changes.targetPreviousVersion();
    if (changes.snapshot() != null) {
      Snapshot taken = Snapshot.parse(changes.snapshot());
      if (taken.kind() == Snapshot.Kind.DELTA_VERSION) {
        since = taken.version();
      }
    }
    // A source copied and cleared was replaced by the migration: anything at its location without
    // a commit of others is the migration's (or the source's, which the snapshot holds).
    boolean createdByAttempt =
        changes.targetCreated()
            || (changes.snapshot() != null
                && Snapshot.parse(changes.snapshot()).kind() == Snapshot.Kind.COPY);
    return ownership.target(changes.targetLocation(), since, createdByAttempt);
  }

  private void removeTarget(Changes changes, Ownership.Proof proof, boolean inPlaceCopy)
      throws IOException {
    String location = changes.targetLocation();
    String table = changes.targetTable();
    if (proof.state() == Ownership.State.NOT_OURS) {
      LOG.warn(
          "{}: not removing {}: {}; it is not this migration's",
          changes.datasetId(),
          location,
          proof.detail());
      return;
    }
    // Only a table registered over the migration's own location is the migration's to drop (and
    // for a copied source, the source table, which the snapshot brings back).
    if (table != null && (ownership.registeredAt(table, location) || inPlaceCopy)) {
      if (spark.catalog().tableExists(Names.table(table))) {
        spark.sql("DROP TABLE " + Names.quoted(table));
      }
    }
    Path path = new Path(location);
    FileSystem fileSystem = path.getFileSystem(spark.sessionState().newHadoopConf());
    if (fileSystem.exists(path)) {
      fileSystem.delete(path, true);
    }
  }
}
