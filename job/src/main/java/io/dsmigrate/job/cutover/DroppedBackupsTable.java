package io.dsmigrate.job.cutover;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.results.OwnTables;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The backups that {@code dsmigrate drop-backups} dropped, {@code <database>.dropped_backups}: one
 * row per backup, so that a rollback of a dataset whose backup is gone says so instead of trying.
 */
public final class DroppedBackupsTable {
  /** The columns, in order. */
  public static final String COLUMNS =
      "run_id STRING NOT NULL, dataset_id STRING NOT NULL, table_name STRING, backup_table STRING,"
          + " backup_location STRING, files_deleted BOOLEAN, dropped_at TIMESTAMP";

  private static final StructType SCHEMA = StructType.fromDDL(COLUMNS);

  /**
   * One dropped backup.
   *
   * @param table the table that was cut over (it reads the target now, for good)
   * @param filesDeleted whether dropping deleted its files (a managed table) or left them
   *     (external)
   */
  public record DroppedBackup(
      String runId,
      String datasetId,
      String table,
      String backupTable,
      String backupLocation,
      boolean filesDeleted,
      Timestamp droppedAt) {
    public DroppedBackup {
      requireNonNull(runId, "runId is null");
      requireNonNull(datasetId, "datasetId is null");
      requireNonNull(backupTable, "backupTable is null");
    }
  }

  private final SparkSession spark;
  private final String name;

  private DroppedBackupsTable(SparkSession spark, String name) {
    this.spark = spark;
    this.name = name;
  }

  /** The table in {@code database}, created (with the database) when missing. */
  public static DroppedBackupsTable in(SparkSession spark, String database) {
    DroppedBackupsTable table = new DroppedBackupsTable(spark, database + ".dropped_backups");
    OwnTables.createIfMissing(
        spark, table.name, COLUMNS, "dsmigrate: backups of cut-over tables that were dropped");
    return table;
  }

  public String name() {
    return name;
  }

  public void append(DroppedBackup dropped) {
    Row row =
        RowFactory.create(
            dropped.runId(),
            dropped.datasetId(),
            dropped.table(),
            dropped.backupTable(),
            dropped.backupLocation(),
            dropped.filesDeleted(),
            dropped.droppedAt());
    spark
        .createDataFrame(List.of(row), SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .saveAsTable(name);
  }

  /** Every drop recorded. */
  public List<DroppedBackup> all() {
    List<DroppedBackup> dropped = new ArrayList<>();
    for (Row row : spark.table(name).collectAsList()) {
      dropped.add(
          new DroppedBackup(
              row.getAs("run_id"),
              row.getAs("dataset_id"),
              row.getAs("table_name"),
              row.getAs("backup_table"),
              row.getAs("backup_location"),
              Boolean.TRUE.equals(row.getAs("files_deleted")),
              row.getAs("dropped_at")));
    }
    return dropped;
  }

  /** The drop of the backup a run's cut-over of a dataset made, or null when it was not dropped. */
  public DroppedBackup find(String runId, String datasetId, String backupTable) {
    for (DroppedBackup dropped : all()) {
      if (dropped.runId().equals(runId)
          && dropped.datasetId().equals(datasetId)
          && dropped.backupTable().equals(backupTable)) {
        return dropped;
      }
    }
    return null;
  }
}
