package io.dsmigrate.job.snapshot;

import io.delta.tables.DeltaTable;
import io.dsmigrate.job.plan.PartitionLayout;
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
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Takes and restores snapshots of sources that a migration replaces in place.
 *
 * <p>A Delta source written over at its own location is pinned at its current version (Delta keeps
 * the old files; {@code RESTORE} brings them back). Any other source is copied byte for byte, and
 * its metastore definition (table and partitions, serialized as Spark holds them) kept beside the
 * copy, so a restore brings back the very same table: type (managed or external), schema,
 * properties, partitions. A partitioned table is taken as the metastore lists it: every registered
 * partition at its own location, inside the table directory or not ({@link PartitionLayout}), and
 * read back partition by partition ({@link #readPartitions}). The copy runs on the executors, with
 * free space checked first and every file verified by length and checksum ({@link TreeCopy}),
 * before the source is touched.
 */
public final class Snapshots {
  private static final String DATA = "data";
  private static final String TABLE = "table.bin";
  private static final String LOCATION = "location.txt";
  private static final String PARTITIONS = "partitions";

  private Snapshots() {}

  /** Pins a Delta location at its current version. */
  public static Snapshot pinDelta(SparkSession spark, String location) {
    long version =
        DeltaTable.forPath(spark, location).history(1).select("version").first().getLong(0);
    return new Snapshot(Snapshot.Kind.DELTA_VERSION, location, version);
  }

  /**
   * Copies a source's files and metastore definition to {@code directory}: the source's directory
   * as it is (stray files and directories too, so that a restore is byte for byte), and for a
   * partitioned table every registered partition whose location is outside that directory, each
   * into a directory of its own.
   */
  public static Snapshot copy(SparkSession spark, SourceInfo source, String directory) {
    Configuration conf = spark.sessionState().newHadoopConf();
    try {
      Path target = new Path(directory);
      FileSystem targetFs = target.getFileSystem(conf);
      if (targetFs.exists(target)) {
        targetFs.delete(target, true);
      }
      targetFs.mkdirs(target);
      CatalogTable table =
          source.table() == null ? null : SourceResolver.catalogTable(spark, source.table());
      List<CatalogTablePartition> partitions =
          table == null ? List.of() : PartitionLayout.listPartitions(spark, table);
      copyChecked(spark, new Path(source.location()), new Path(target, DATA));
      writeText(targetFs, new Path(target, LOCATION), source.location());
      if (table != null) {
        PartitionLayout layout = PartitionLayout.of(table, partitions);
        StringBuilder manifest = new StringBuilder();
        for (PartitionLayout.Partition partition : layout.partitions()) {
          boolean inside = layout.insideTable(partition);
          if (!inside) {
            copyChecked(spark, partition.path(), partitionCopy(target, partition.index()));
          }
          manifest
              .append(partition.describe())
              .append('\t')
              .append(partition.location())
              .append('\t')
              .append(
                  inside
                      ? DATA + " (under the table directory)"
                      : PARTITIONS + "/" + partition.index())
              .append('\n');
        }
        try (ObjectOutputStream out =
            new ObjectOutputStream(targetFs.create(new Path(target, TABLE)))) {
          out.writeObject(table);
          out.writeObject(partitions.toArray(CatalogTablePartition[]::new));
        }
        writeText(targetFs, new Path(target, "partitions.txt"), manifest.toString());
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

  /**
   * Copies a directory (an empty one when it does not exist) with a Spark job ({@link TreeCopy}):
   * free space checked first, each file verified.
   */
  private static void copyChecked(SparkSession spark, Path from, Path to) throws IOException {
    TreeCopy.copy(spark, from, to, "dsmigrate snapshot: copy " + from);
  }

  private static Path partitionCopy(Path snapshot, int index) {
    return new Path(new Path(snapshot, PARTITIONS), Integer.toString(index));
  }

  /**
   * The rows of a partitioned table as its snapshot holds them, or null when the snapshot is not of
   * a partitioned table: each registered partition's copied files (read with the table's data
   * schema) with that partition's values from the metastore, cast to the partition columns' types.
   * Directories that no partition names are not read, and no value is parsed from a directory name.
   *
   * @param format the files' format (parquet or orc)
   */
  public static Dataset<Row> readPartitions(SparkSession spark, Snapshot snapshot, String format) {
    Configuration conf = spark.sessionState().newHadoopConf();
    Path root = new Path(snapshot.location());
    Definition definition;
    try {
      definition = Definition.read(root.getFileSystem(conf), root);
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR,
          "cannot read the table definition in snapshot " + snapshot + ": " + e.getMessage(),
          e);
    }
    if (definition == null || definition.table().partitionColumnNames().isEmpty()) {
      return null;
    }
    CatalogTable table = definition.table();
    StructType partitionSchema = table.partitionSchema();
    PartitionLayout layout = PartitionLayout.of(table, List.of(definition.partitions()));
    Dataset<Row> rows = null;
    for (PartitionLayout.Partition partition : layout.partitions()) {
      Path files =
          layout.insideTable(partition)
              ? layout.inCopyOfTable(partition, new Path(root, DATA))
              : partitionCopy(root, partition.index());
      List<Column> columns = new ArrayList<>();
      for (String column : table.dataSchema().fieldNames()) {
        columns.add(functions.col(column));
      }
      for (StructField column : partitionSchema.fields()) {
        String value = partition.values().get(column.name());
        boolean isNull =
            value == null || value.equals(ExternalCatalogUtils.DEFAULT_PARTITION_NAME());
        columns.add(functions.lit(isNull ? null : value).cast(column.dataType()).as(column.name()));
      }
      Dataset<Row> partitionRows =
          spark
              .read()
              .schema(table.dataSchema())
              // The files of one partition, at any depth, as Spark reads a table's partition;
              // no partition is inferred from directory names below it.
              .option("recursiveFileLookup", "true")
              .format(format)
              .load(files.toString())
              .select(columns.toArray(Column[]::new));
      rows = rows == null ? partitionRows : rows.union(partitionRows);
    }
    return rows != null ? rows : spark.createDataFrame(List.of(), table.schema());
  }

  /** A table definition and its partitions, as a snapshot keeps them. */
  private record Definition(CatalogTable table, CatalogTablePartition[] partitions) {
    /** The definition in a snapshot, or null when the snapshot is of a path. */
    static Definition read(FileSystem fs, Path snapshot) throws IOException {
      Path file = new Path(snapshot, TABLE);
      if (!fs.exists(file)) {
        return null;
      }
      try (ObjectInputStream in = new ObjectInputStream(fs.open(file))) {
        return new Definition(
            (CatalogTable) in.readObject(), (CatalogTablePartition[]) in.readObject());
      } catch (ClassNotFoundException e) {
        throw new IOException(
            "the snapshot's table definition cannot be read: " + e.getMessage(), e);
      }
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
      TreeCopy.copy(
          spark, new Path(root, DATA), location, "dsmigrate restore: copy back to " + location);
      Definition definition = Definition.read(snapshotFs, root);
      if (definition != null) {
        CatalogTable table = definition.table();
        CatalogTablePartition[] partitions = definition.partitions();
        PartitionLayout layout = PartitionLayout.of(table, List.of(partitions));
        for (PartitionLayout.Partition partition : layout.partitions()) {
          Path copy = partitionCopy(root, partition.index());
          // Partitions under the table directory came back with it; the others each have a copy
          // (snapshots of earlier versions have none).
          if (!layout.insideTable(partition) && snapshotFs.exists(copy)) {
            putBack(snapshotFs, copy, partition.path(), conf);
          }
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

  /**
   * Puts the copied files of a partition outside the table directory back at its location. That
   * location is not the migration's: nothing there is deleted. A file the copy holds is written
   * where it is missing (a managed table's drop removed it) and left where it stands with the same
   * length; another file of that name, or anything else there, was written by someone since, and is
   * kept (a file of the copy's name but another length fails the restore, naming it).
   */
  private static void putBack(FileSystem snapshotFs, Path copy, Path location, Configuration conf)
      throws IOException {
    FileSystem locationFs = location.getFileSystem(conf);
    String root = copy.toUri().getPath();
    var files = snapshotFs.listFiles(copy, true);
    while (files.hasNext()) {
      var file = files.next();
      String relative = file.getPath().toUri().getPath().substring(root.length() + 1);
      Path destination = new Path(location, relative);
      if (!locationFs.exists(destination)) {
        FileUtil.copy(snapshotFs, file.getPath(), locationFs, destination, false, conf);
      } else if (locationFs.getFileStatus(destination).getLen() != file.getLen()) {
        throw new IOException(
            destination
                + " was replaced since the snapshot (its length differs from the copy at "
                + file.getPath()
                + "); it is not dsmigrate's to overwrite");
      }
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
