package io.dsmigrate.job.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dsmigrate.job.plan.PartitionLayout;
import io.dsmigrate.job.plan.SourceInfo;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.delta.DeltaLog;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The record of a Parquet source converted to Delta in place ({@code CONVERT TO DELTA}), taken
 * before the conversion, and the undo of a conversion from it.
 *
 * <p>A conversion rewrites no data file: it adds a {@code _delta_log} beside the files and, for a
 * table, changes the table's definition in the metastore (provider {@code delta}, no serde, no
 * schema). So the record holds what the undo needs to put back exactly that, and nothing else: the
 * location, the table definition and its partitions as the metastore held them ({@value #JSON} for
 * people, and serialized as Spark holds them for an exact restore), and every file under the
 * location with its size. An undo removes the {@code _delta_log} and restores the definition; the
 * data files are never touched (unless a forced rollback removes files that others' Delta commits
 * added since).
 *
 * <p>Whether the {@code _delta_log} is dsmigrate's to remove is not decided here: the caller proves
 * it with {@link io.dsmigrate.job.ownership.Ownership} (version 0 is the conversion's own tagged
 * commit, and nobody else committed after it).
 */
public final class Conversions {
  /** The record, for people: location, table definition, partitions and files. */
  public static final String JSON = "conversion.json";

  private static final String TABLE = "table.bin";
  private static final String DELTA_LOG = "_delta_log";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Conversions() {}

  /**
   * What a conversion record holds.
   *
   * @param location the converted directory
   * @param table the table definition before the conversion, or null for a path
   * @param partitions the table's registered partitions before the conversion
   * @param files every file under the location (relative path → bytes) before the conversion
   */
  public record Recorded(
      String location,
      CatalogTable table,
      List<CatalogTablePartition> partitions,
      Map<String, Long> files) {
    public Recorded {
      partitions = List.copyOf(partitions);
      files = java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    }
  }

  /**
   * Records, in {@code directory}, what an undo of converting {@code source} in place needs;
   * nothing of the source changes.
   */
  public static Snapshot record(SparkSession spark, SourceInfo source, String directory) {
    Configuration conf = spark.sessionState().newHadoopConf();
    try {
      Path root = new Path(directory);
      FileSystem rootFs = root.getFileSystem(conf);
      // An earlier attempt's record is overwritten file by file, nothing deleted: the table file
      // is read only when the record names a table.
      rootFs.mkdirs(root);
      CatalogTable table =
          source.table() == null ? null : SourceResolver.catalogTable(spark, source.table());
      List<CatalogTablePartition> partitions =
          table == null ? List.of() : PartitionLayout.listPartitions(spark, table);
      String location = table != null ? table.location().toString() : source.location();
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("location", location);
      json.put("table", table == null ? null : describe(table, partitions));
      json.put("files", files(spark, location));
      try (java.io.OutputStream out = rootFs.create(new Path(root, JSON), true)) {
        MAPPER.writeValue(out, json);
      }
      if (table != null) {
        try (ObjectOutputStream out =
            new ObjectOutputStream(rootFs.create(new Path(root, TABLE), true))) {
          out.writeObject(table);
          out.writeObject(partitions.toArray(CatalogTablePartition[]::new));
        }
      }
      return new Snapshot(Snapshot.Kind.CONVERT, root.toString(), -1);
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR,
          "cannot record the conversion of "
              + source.location()
              + " in "
              + directory
              + ": "
              + e.getMessage()
              + "; the source was not touched",
          e);
    }
  }

  /** The record a conversion snapshot points at. */
  @SuppressWarnings("unchecked")
  public static Recorded read(SparkSession spark, Snapshot snapshot) throws IOException {
    Path root = new Path(snapshot.location());
    FileSystem fs = root.getFileSystem(spark.sessionState().newHadoopConf());
    Map<String, Object> json;
    try (java.io.InputStream in = fs.open(new Path(root, JSON))) {
      json = MAPPER.readValue(in, Map.class);
    }
    Map<String, Long> files = new TreeMap<>();
    ((Map<String, Object>) json.get("files"))
        .forEach((file, size) -> files.put(file, ((Number) size).longValue()));
    CatalogTable table = null;
    List<CatalogTablePartition> partitions = List.of();
    Path definition = new Path(root, TABLE);
    if (json.get("table") != null) {
      try (ObjectInputStream in = new ObjectInputStream(fs.open(definition))) {
        table = (CatalogTable) in.readObject();
        partitions = List.of((CatalogTablePartition[]) in.readObject());
      } catch (ClassNotFoundException e) {
        throw new IOException("the recorded table definition cannot be read: " + e.getMessage(), e);
      }
    }
    return new Recorded((String) json.get("location"), table, partitions, files);
  }

  /**
   * The parts of a table definition a conversion changes, and that an undo puts back: type,
   * provider, storage (location, serde, formats, properties), schema, partition columns, properties
   * and the registered partitions. Times and statistics the metastore keeps for itself are left
   * out.
   */
  public static Map<String, Object> describe(
      CatalogTable table, List<CatalogTablePartition> partitions) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", table.identifier().unquotedString());
    json.put("type", table.tableType().name());
    json.put("provider", table.provider().isDefined() ? table.provider().get() : null);
    json.put("location", table.storage().locationUri().map(Object::toString).getOrElse(() -> null));
    json.put("serde", table.storage().serde().getOrElse(() -> null));
    json.put("inputFormat", table.storage().inputFormat().getOrElse(() -> null));
    json.put("outputFormat", table.storage().outputFormat().getOrElse(() -> null));
    json.put(
        "storageProperties",
        new TreeMap<>(CollectionConverters.asJava(table.storage().properties())));
    json.put("schema", table.schema().toDDL());
    json.put("partitionColumns", CollectionConverters.asJava(table.partitionColumnNames()));
    Map<String, String> properties = new TreeMap<>(CollectionConverters.asJava(table.properties()));
    // Hive stamps every change of a table with its time; that stamp is not the definition.
    properties.remove("transient_lastDdlTime");
    json.put("properties", properties);
    List<Map<String, Object>> registered = new ArrayList<>();
    for (CatalogTablePartition partition : partitions) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("values", new TreeMap<>(CollectionConverters.asJava(partition.spec())));
      one.put(
          "location",
          partition.storage().locationUri().map(Object::toString).getOrElse(() -> null));
      registered.add(one);
    }
    json.put("partitions", registered);
    return json;
  }

  /** Every file under {@code location}: relative path → bytes (empty when it does not exist). */
  public static Map<String, Long> files(SparkSession spark, String location) throws IOException {
    Path root = new Path(location);
    FileSystem fs = root.getFileSystem(spark.sessionState().newHadoopConf());
    Map<String, Long> files = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> listed;
    try {
      listed = fs.listFiles(root, true);
    } catch (FileNotFoundException e) {
      return files;
    }
    String prefix = fs.makeQualified(root).toUri().getPath();
    prefix = prefix.endsWith("/") ? prefix : prefix + "/";
    while (listed.hasNext()) {
      LocatedFileStatus file = listed.next();
      String path = file.getPath().toUri().getPath();
      files.put(path.startsWith(prefix) ? path.substring(prefix.length()) : path, file.getLen());
    }
    return files;
  }

  /** Whether the location holds a Delta commit (a {@code .json} or checkpoint in its log). */
  public static boolean hasCommits(SparkSession spark, String location) throws IOException {
    Path log = new Path(location, DELTA_LOG);
    FileSystem fs = log.getFileSystem(spark.sessionState().newHadoopConf());
    try {
      for (FileStatus status : fs.listStatus(log)) {
        String name = status.getPath().getName();
        if (name.endsWith(".json") || name.endsWith(".checkpoint.parquet")) {
          return true;
        }
      }
      return false;
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /**
   * Puts the table definition back as it was recorded (nothing happens for a path, or when the
   * metastore holds it so already). The table entry is replaced, never its files: a managed table
   * is made external before its entry is dropped, so that the metastore keeps its directory, and is
   * then created again as the record has it (managed again, with its partitions).
   */
  public static void restoreDefinition(SparkSession spark, Recorded recorded) {
    CatalogTable table = recorded.table();
    if (table == null) {
      return;
    }
    ExternalCatalog catalog = spark.sharedState().externalCatalog();
    String database = table.database();
    String name = table.identifier().table();
    if (catalog.tableExists(database, name)) {
      CatalogTable current = catalog.getTable(database, name);
      List<CatalogTablePartition> partitions =
          current.partitionColumnNames().isEmpty()
              ? List.of()
              : CollectionConverters.asJava(
                  catalog.listPartitions(database, name, scala.Option.empty()));
      if (describe(current, partitions).equals(describe(table, recorded.partitions()))) {
        return;
      }
      if (current.tableType() == CatalogTableType.MANAGED()) {
        catalog.alterTable(external(current));
      }
      catalog.dropTable(database, name, true, false);
    }
    catalog.createTable(table, false);
    if (!recorded.partitions().isEmpty()) {
      catalog.createPartitions(
          database, name, CollectionConverters.asScala(recorded.partitions()).toSeq(), false);
    }
    spark.catalog().refreshTable(table.identifier().quotedString());
  }

  /** The definition as an external table: dropping its entry then leaves its files. */
  private static CatalogTable external(CatalogTable t) {
    return t.copy(
        t.copy$default$1(),
        CatalogTableType.EXTERNAL(),
        t.copy$default$3(),
        t.copy$default$4(),
        t.copy$default$5(),
        t.copy$default$6(),
        t.copy$default$7(),
        t.copy$default$8(),
        t.copy$default$9(),
        t.copy$default$10(),
        t.copy$default$11(),
        t.copy$default$12(),
        t.copy$default$13(),
        t.copy$default$14(),
        t.copy$default$15(),
        t.copy$default$16(),
        t.copy$default$17(),
        t.copy$default$18(),
        t.copy$default$19(),
        t.copy$default$20(),
        t.copy$default$21(),
        t.copy$default$22());
  }

  /** Removes the Delta log of a converted location, and Delta's cached view of it. */
  public static void removeLog(SparkSession spark, String location) throws IOException {
    Path log = new Path(location, DELTA_LOG);
    FileSystem fs = log.getFileSystem(spark.sessionState().newHadoopConf());
    if (fs.exists(log) && !fs.delete(log, true)) {
      throw new IOException("cannot delete " + log);
    }
    DeltaLog.invalidateCache(spark, new Path(location));
  }

  /**
   * Files of the record that are gone or have another size now, one sentence each: a location whose
   * recorded files changed cannot be restored to them.
   */
  public static List<String> changedFiles(SparkSession spark, Recorded recorded)
      throws IOException {
    Map<String, Long> now = files(spark, recorded.location());
    List<String> changed = new ArrayList<>();
    recorded
        .files()
        .forEach(
            (file, size) -> {
              Long current = now.get(file);
              if (current == null) {
                changed.add(file + " is gone");
              } else if (current.longValue() != size) {
                changed.add(file + " has " + current + " bytes, not " + size);
              }
            });
    return changed;
  }

  /** Deletes a data file under the converted location (a forced undo, for others' additions). */
  public static void deleteFile(SparkSession spark, String location, String relative)
      throws IOException {
    Path file = new Path(new Path(location), relative);
    file.getFileSystem(spark.sessionState().newHadoopConf()).delete(file, false);
  }
}
