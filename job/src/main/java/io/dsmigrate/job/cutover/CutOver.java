package io.dsmigrate.job.cutover;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.TableMetadata;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.spec.Names;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a migrated dataset's source table name to its target, and takes it back.
 *
 * <p>{@link #perform} renames the source table {@code db.t} to its backup name (in the same
 * database; the metastore moves a managed table's directory with it) and creates {@code db.t} again
 * as an EXTERNAL Delta table over the target's files, so consumers that read {@code db.t} read the
 * new data, dropping {@code db.t} never deletes data, and the target's own name keeps working. The
 * new {@code db.t} has the old one's owner; its comment, properties and column comments are the
 * target's, which its Delta log holds (see {@code TableMetadata}). {@link #undo} reverses that from
 * whatever state it finds, so it can run again after a crash.
 *
 * <pre>{@code
 * CutOver.of(spark, "sales.orders", "legacy.orders", "legacy.orders__bak_20261124", location).perform();
 * }</pre>
 */
public final class CutOver {
  private static final Logger LOG = LoggerFactory.getLogger(CutOver.class);

  private final SparkSession spark;
  private final String datasetId;
  private final String table;
  private final String backup;
  private final String targetLocation;

  private CutOver(
      SparkSession spark, String datasetId, String table, String backup, String targetLocation) {
    this.spark = requireNonNull(spark, "spark is null");
    this.datasetId = requireNonNull(datasetId, "datasetId is null");
    this.table = Names.table(requireNonNull(table, "table is null"));
    this.backup = Names.table(requireNonNull(backup, "backup is null"));
    this.targetLocation = requireNonNull(targetLocation, "targetLocation is null");
  }

  /**
   * @param table the source table whose name the target takes over ({@code db.t})
   * @param backup the name the source table is kept under ({@code db.t__bak_...})
   * @param targetLocation where the target's Delta files are
   */
  public static CutOver of(
      SparkSession spark, String datasetId, String table, String backup, String targetLocation) {
    return new CutOver(spark, datasetId, table, backup, targetLocation);
  }

  /**
   * Renames the table to the backup name, then creates the table over the target's files. When the
   * second step fails the first is undone before the failure is thrown.
   */
  public void perform() {
    boolean renamed = false;
    try {
      String owner = SourceResolver.catalogTable(spark, table).owner();
      rename(table, backup);
      renamed = true;
      spark.catalog().createTable(Names.quoted(table), targetLocation, "delta");
      keepOwner(owner);
    } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
      IllegalStateException failure =
          new IllegalStateException(
              "Cannot cut over "
                  + datasetId
                  + ": "
                  + (renamed
                      ? "cannot create " + table + " over the target " + targetLocation
                      : "cannot rename " + table + " to " + backup)
                  + ": "
                  + Failures.firstLine(e.getMessage()),
              e);
      if (renamed) {
        try {
          undo();
        } catch (Exception undoFailure) { // AnalysisException too
          failure.addSuppressed(undoFailure);
        }
      }
      throw failure;
    }
    LOG.info(
        "{}: cut over: {} reads {}, the old table is {}", datasetId, table, targetLocation, backup);
  }

  /**
   * Gives the table its old data back, from any state a cut-over can be left in: done (the table is
   * dropped, then the backup renamed back), half done (the backup is renamed back), or not started
   * (nothing to do).
   *
   * @throws IllegalStateException when the table reads the target but the backup is gone
   */
  public void undo() {
    boolean backupExists = spark.catalog().tableExists(backup);
    if (pointsAtTarget()) {
      if (!backupExists) {
        throw new IllegalStateException(
            "Cannot undo the cut-over of "
                + datasetId
                + ": its backup "
                + backup
                + " does not exist, so the old data of "
                + table
                + " cannot come back; "
                + table
                + " keeps reading the target "
                + targetLocation);
      }
      // An external table: dropping it leaves the target's files alone.
      spark.sql("DROP TABLE " + Names.quoted(table));
      rename(backup, table);
    } else if (backupExists && !spark.catalog().tableExists(table)) {
      rename(backup, table);
    } else {
      return;
    }
    LOG.info("{}: cut-over undone: {} is the old table again", datasetId, table);
  }

  /** Whether the table is what a cut-over made of it: an external Delta table over the target. */
  public boolean pointsAtTarget() {
    if (!spark.catalog().tableExists(table)) {
      return false;
    }
    CatalogTable definition = SourceResolver.catalogTable(spark, table);
    return definition.tableType() == CatalogTableType.EXTERNAL()
        && definition.provider().isDefined()
        && definition.provider().get().toLowerCase(Locale.ROOT).equals("delta")
        && Names.path(definition.location().toString()).equals(Names.path(targetLocation));
  }

  /** The metastore makes the run's user the owner of what it creates; the table keeps its own. */
  private void keepOwner(String owner) {
    CatalogTable created = SourceResolver.catalogTable(spark, table);
    CatalogTable owned = TableMetadata.ownedBy(created, owner);
    if (owned != created) {
      spark.sessionState().catalog().alterTable(owned);
    }
  }

  private void rename(String from, String to) {
    spark.sql("ALTER TABLE " + Names.quoted(from) + " RENAME TO " + Names.quoted(to));
  }
}
