package io.dsmigrate.job.rollback;

import io.dsmigrate.job.cutover.CutOver;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.snapshot.Snapshot;
import io.dsmigrate.job.snapshot.Snapshots;
import io.dsmigrate.job.spec.Names;
import io.dsmigrate.validation.DatasetSource;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Undoes what a migration of one dataset did, from what its results row records: gives a source
 * table that was cut over its name back, restores a source replaced in place from its snapshot,
 * puts an overwritten Delta target back to its previous version, or removes a target the run
 * created (table and files).
 */
public final class Undo {
  private Undo() {}

  public static void dataset(SparkSession spark, DatasetResult result) throws IOException {
    cutOver(
        spark, result.datasetId(), result.source(), result.backupTable(), result.targetLocation());
    changes(
        spark,
        result.target(),
        result.targetLocation(),
        result.snapshot(),
        result.targetPreviousVersion());
  }

  /**
   * Gives {@code table} its old data back if a cut-over (that kept it as {@code backupTable})
   * began: the table over the target is dropped and the backup renamed back. Nothing happens when
   * {@code backupTable} is null. Run it before {@link #changes}, which removes the target.
   */
  public static void cutOver(
      SparkSession spark,
      String datasetId,
      String table,
      String backupTable,
      String targetLocation) {
    if (backupTable != null) {
      CutOver.of(spark, datasetId, table, backupTable, targetLocation).undo();
    }
  }

  /**
   * Undoes a migration from what it recorded: {@code target} (a table name or a path) and where its
   * files are, the source's {@code snapshot} (or null), and the Delta version of a target it
   * overwrote (null when it created the target).
   */
  public static void changes(
      SparkSession spark,
      String target,
      String targetLocation,
      String snapshot,
      Long targetPreviousVersion)
      throws IOException {
    if (snapshot != null) {
      Snapshot taken = Snapshot.parse(snapshot);
      if (taken.kind() == Snapshot.Kind.COPY) {
        removeTarget(spark, target, targetLocation);
      }
      Snapshots.restore(spark, taken);
    } else if (targetPreviousVersion != null) {
      spark.sql(
          "RESTORE TABLE delta.`"
              + targetLocation.replace("`", "``")
              + "` TO VERSION AS OF "
              + targetPreviousVersion);
    } else {
      removeTarget(spark, target, targetLocation);
    }
  }

  private static void removeTarget(SparkSession spark, String target, String targetLocation)
      throws IOException {
    if (target != null && !DatasetSource.isPath(target) && spark.catalog().tableExists(target)) {
      spark.sql("DROP TABLE " + Names.quoted(target));
    }
    if (targetLocation != null) {
      Path location = new Path(targetLocation);
      FileSystem fileSystem = location.getFileSystem(spark.sessionState().newHadoopConf());
      if (fileSystem.exists(location)) {
        fileSystem.delete(location, true);
      }
    }
  }
}
