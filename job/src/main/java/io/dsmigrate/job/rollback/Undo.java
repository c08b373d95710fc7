package io.dsmigrate.job.rollback;

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
 * Undoes what a migration of one dataset did, from what its results row records: restores a source
 * replaced in place from its snapshot, puts an overwritten Delta target back to its previous
 * version, or removes a target the run created (table and files).
 */
public final class Undo {
  private Undo() {}

  public static void dataset(SparkSession spark, DatasetResult result) throws IOException {
    if (result.snapshot() != null) {
      Snapshot snapshot = Snapshot.parse(result.snapshot());
      if (snapshot.kind() == Snapshot.Kind.COPY) {
        removeTarget(spark, result);
      }
      Snapshots.restore(spark, snapshot);
    } else if (result.targetPreviousVersion() != null) {
      spark.sql(
          "RESTORE TABLE delta.`"
              + result.targetLocation().replace("`", "``")
              + "` TO VERSION AS OF "
              + result.targetPreviousVersion());
    } else {
      removeTarget(spark, result);
    }
  }

  private static void removeTarget(SparkSession spark, DatasetResult result) throws IOException {
    String target = result.target();
    if (target != null && !DatasetSource.isPath(target) && spark.catalog().tableExists(target)) {
      spark.sql("DROP TABLE " + Names.quoted(target));
    }
    if (result.targetLocation() != null) {
      Path location = new Path(result.targetLocation());
      FileSystem fileSystem = location.getFileSystem(spark.sessionState().newHadoopConf());
      if (fileSystem.exists(location)) {
        fileSystem.delete(location, true);
      }
    }
  }
}
