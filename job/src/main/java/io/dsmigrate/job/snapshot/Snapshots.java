package io.dsmigrate.job.snapshot;

import io.delta.tables.DeltaTable;
import io.dsmigrate.job.plan.SourceInfo;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.Names;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Takes and restores snapshots of sources that a migration replaces in place.
 *
 * <p>A Delta source written over at its own location is pinned at its current version (Delta keeps
 * the old files; {@code RESTORE} brings them back). Any other source is copied byte for byte, and
 * its metastore definition (table and partitions, serialized as Spark holds them) kept beside the
 * copy, so a restore brings back the very same table: type (managed or external), schema,
 * properties, partitions. The copy is checked (file count and bytes) before the source is touched.
 */
public final class Snapshots {
  private static final String DATA = "data";
  private static final String TABLE = "table.bin";
  private static final String LOCATION = "location.txt";

  private Snapshots() {}

  /** Pins a Delta location at its current version. */
  public static Snapshot pinDelta(SparkSession spark, String location) {
    long version =
        DeltaTable.forPath(spark, location).history(1).select("version").first().getLong(0);
    return new Snapshot(Snapshot.Kind.DELTA_VERSION, location, version);
  }

  /** Copies a source's files and metastore definition to {@code directory}. */
  public static Snapshot copy(SparkSession spark, SourceInfo source, String directory) {
    Configuration conf = spark.sessionState().newHadoopConf();
    try {
      Path target = new Path(directory);
      FileSystem targetFs = target.getFileSystem(conf);
      if (targetFs.exists(target)) {
        targetFs.delete(target, true);
      }
      targetFs.mkdirs(target);
      Path from = new Path(source.location());
      FileSystem sourceFs = from.getFileSystem(conf);
      Path data = new Path(target, DATA);
      if (sourceFs.exists(from)) {
        FileUtil.copy(sourceFs, from, targetFs, data, false, conf);
        ContentSummary original = sourceFs.getContentSummary(from);
        ContentSummary copied = targetFs.getContentSummary(data);
        if (original.getLength() != copied.getLength()
            || original.getFileCount() != copied.getFileCount()) {
          throw new IOException(
              "the copy of "
                  + from
                  + " has "
                  + copied.getFileCount()
                  + " files / "
                  + copied.getLength()
                  + " bytes but the source has "
                  + original.getFileCount()
                  + " / "
                  + original.getLength());
        }
      } else {
        targetFs.mkdirs(data);
      }
      writeText(targetFs, new Path(target, LOCATION), source.location());
      if (source.table() != null) {
        CatalogTable table = SourceResolver.catalogTable(spark, source.table());
        ExternalCatalog catalog = spark.sharedState().externalCatalog();
        Seq<CatalogTablePartition> partitions =
            table.partitionColumnNames().isEmpty()
                ? scala.collection.immutable.List$.MODULE$.<CatalogTablePartition>empty()
                : catalog.listPartitions(
                    table.database(), table.identifier().table(), scala.Option.empty());
        try (ObjectOutputStream out =
            new ObjectOutputStream(targetFs.create(new Path(target, TABLE)))) {
          out.writeObject(table);
          out.writeObject(
              CollectionConverters.asJava(partitions).toArray(CatalogTablePartition[]::new));
        }
        writeText(targetFs, new Path(target, "table.sql"), showCreate(spark, source.table()));
      }
      return new Snapshot(Snapshot.Kind.COPY, target.toString(), -1);
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR,
          "cannot snapshot "
              + source.location()
              + " to "
              + directory
              + ": "
              + e.getMessage()
              + "; the source was not touched",
          e);
    }
  }

  /** Where the copied files are, for reading the source back from the snapshot. */
  public static String dataOf(Snapshot snapshot) {
    return new Path(snapshot.location(), DATA).toString();
  }

  /**
   * Puts a source back as the snapshot holds it. Whatever stands at its name or location now must
   * have been removed first.
   */
  public static void restore(SparkSession spark, Snapshot snapshot) {
    if (snapshot.kind() == Snapshot.Kind.DELTA_VERSION) {
      spark.sql(
          "RESTORE TABLE delta.`"
              + snapshot.location().replace("`", "``")
              + "` TO VERSION AS OF "
              + snapshot.version());
      return;
    }
    Configuration conf = spark.sessionState().newHadoopConf();
    try {
      Path root = new Path(snapshot.location());
      FileSystem snapshotFs = root.getFileSystem(conf);
      Path location = new Path(readText(snapshotFs, new Path(root, LOCATION)));
      FileSystem locationFs = location.getFileSystem(conf);
      if (locationFs.exists(location)) {
        locationFs.delete(location, true);
      }
      FileUtil.copy(snapshotFs, new Path(root, DATA), locationFs, location, false, conf);
      Path tableFile = new Path(root, TABLE);
      if (snapshotFs.exists(tableFile)) {
        CatalogTable table;
        CatalogTablePartition[] partitions;
        try (ObjectInputStream in = new ObjectInputStream(snapshotFs.open(tableFile))) {
          table = (CatalogTable) in.readObject();
          partitions = (CatalogTablePartition[]) in.readObject();
        } catch (ClassNotFoundException e) {
          throw new IOException(
              "the snapshot's table definition cannot be read: " + e.getMessage(), e);
        }
        ExternalCatalog catalog = spark.sharedState().externalCatalog();
        catalog.createTable(table, false);
        if (partitions.length > 0) {
          catalog.createPartitions(
              table.database(),
              table.identifier().table(),
              CollectionConverters.asScala(List.of(partitions)).toSeq(),
              false);
        }
        spark.catalog().refreshTable(table.identifier().unquotedString());
      }
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.ROLLBACK_FAILED,
          "cannot restore from snapshot "
              + snapshot
              + ": "
              + e.getMessage()
              + ". The snapshot is kept; restore by hand from it",
          e);
    }
  }

  private static String showCreate(SparkSession spark, String table) {
    try {
      return spark.sql("SHOW CREATE TABLE " + Names.quoted(table)).first().getString(0);
    } catch (RuntimeException e) {
      return "-- SHOW CREATE TABLE failed: " + e.getMessage();
    }
  }

  private static void writeText(FileSystem fs, Path path, String text) throws IOException {
    try (OutputStream out = fs.create(path, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String readText(FileSystem fs, Path path) throws IOException {
    try (var in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }
}
