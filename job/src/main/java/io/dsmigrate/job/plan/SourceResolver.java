package io.dsmigrate.job.plan;

import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.validation.DatasetSource;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.jdk.javaapi.CollectionConverters;

/** Finds a source in the metastore or on the file system: where, which format, schema, size. */
public final class SourceResolver {
  private SourceResolver() {}

  /**
   * What the source is, or a {@link MigrationException} that says why it cannot be migrated
   * (missing, unreadable, a corrupt file where its schema is read).
   */
  public static SourceInfo resolve(SparkSession spark, DatasetSpec spec) {
    return resolve(spark, spec, TableLookup.live(spark));
  }

  /** {@link #resolve(SparkSession, DatasetSpec)}, with table definitions from {@code tables}. */
  static SourceInfo resolve(SparkSession spark, DatasetSpec spec, TableLookup tables) {
    SourceSpec source = spec.source();
    try {
      return source.table() != null ? resolveTable(spark, spec, tables) : resolvePath(spark, spec);
    } catch (RuntimeException e) { // a MigrationException comes back as it is
      throw Failures.classify(
          e,
          spec,
          "resolve source",
          source.path() == null ? null : Names.path(source.path()),
          null);
    }
  }

  /**
   * What identifies a source whatever spec names it: its table, or its path and format. Two specs
   * with the same key resolve to the same {@link SourceInfo} (their errors still name each spec).
   */
  static String key(SourceSpec source) {
    return source.table() != null
        ? "table " + Names.table(source.table())
        : "path " + Names.path(source.path()) + " format " + source.format();
  }

  private static SourceInfo resolveTable(SparkSession spark, DatasetSpec spec, TableLookup tables) {
    String name = Names.table(spec.source().table());
    if (!tables.exists(name)) {
      throw new MigrationException(
          ErrorClass.SOURCE_NOT_FOUND,
          "Cannot migrate "
              + spec.id()
              + ": source table "
              + name
              + " does not exist in the metastore. Fix source.table in "
              + spec.at("source.table"));
    }
    CatalogTable table = tables.definition(name);
    refuseUnfaithful(spec, name, table);
    String location = table.location().toString();
    long[] size = size(spark, location);
    return new SourceInfo(
        name,
        location,
        format(table),
        Unfaithful.provider(table),
        table.tableType() == CatalogTableType.MANAGED(),
        spark.table(name).schema().toDDL(),
        CollectionConverters.asJava(table.partitionColumnNames()),
        size[0],
        size[1]);
  }

  /**
   * The format of a table's files as a migration reads them: its provider (parquet, delta, orc,
   * csv, ...), or for a Hive table the one its serde names (parquet, orc; any other serde is
   * "hive-text").
   */
  public static String format(CatalogTable table) {
    String provider = Unfaithful.provider(table);
    if (!provider.equals("hive")) {
      return provider;
    }
    String serde = serde(table);
    return serde.contains("parquet") ? "parquet" : serde.contains("orc") ? "orc" : "hive-text";
  }

  /** A Hive table's serde class in lower case ("" when it has none). */
  public static String serde(CatalogTable table) {
    return table.storage().serde().getOrElse(() -> "").toLowerCase(Locale.ROOT);
  }

  /** Refuses a source that {@link Unfaithful} says cannot be migrated faithfully. */
  private static void refuseUnfaithful(DatasetSpec spec, String name, CatalogTable table) {
    List<Unfaithful> reasons = Unfaithful.of(table);
    if (reasons.isEmpty()) {
      return;
    }
    Unfaithful reason = reasons.get(0);
    // A view has no "why" worth a sentence and nothing to remove: its fix says what to migrate.
    String explained =
        reason == Unfaithful.VIEW
            ? ". " + reason.fix(name) + " ("
            : ": " + reason.why() + ". " + reason.fix(name) + ", or remove this spec (";
    throw new MigrationException(
        ErrorClass.UNSUPPORTED,
        "Cannot migrate "
            + spec.id()
            + ": source "
            + name
            + " is "
            + reason.what(table)
            + explained
            + spec.at("source.table")
            + ")");
  }

  private static SourceInfo resolvePath(SparkSession spark, DatasetSpec spec) {
    String location = Names.path(spec.source().path());
    long[] size;
    try {
      Path path = new Path(location);
      FileSystem fileSystem = path.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fileSystem.exists(path)) {
        throw new MigrationException(
            ErrorClass.SOURCE_NOT_FOUND,
            "Cannot migrate "
                + spec.id()
                + ": source path "
                + spec.source().path()
                + " does not exist. Fix source.path in "
                + spec.at("source.path"));
      }
      size = size(spark, location);
    } catch (IOException e) {
      throw Failures.classify(e, spec, "resolve source", location, null);
    }
    String format =
        spec.source().format() != null
            ? spec.source().format()
            : DatasetSource.formatOf(spark, location);
    Dataset<Row> rows = spark.read().format(format).load(location);
    return new SourceInfo(
        null,
        location,
        format,
        "path",
        false,
        rows.schema().toDDL(),
        partitionColumns(rows),
        size[0],
        size[1]);
  }

  /** The columns a path source takes from its directory names ({@code day=2024-01-01/...}). */
  private static List<String> partitionColumns(Dataset<Row> rows) {
    if (rows.queryExecution().analyzed() instanceof LogicalRelation relation
        && relation.relation() instanceof HadoopFsRelation files) {
      return List.of(files.partitionSchema().fieldNames());
    }
    return List.of();
  }

  /**
   * What of {@code source}'s metadata travels to its target ({@link TableMetadata}): a metastore
   * table's definition, a Delta table's log (its description, configuration and column comments,
   * the owner from the metastore), nothing for a directory of Parquet or ORC files.
   */
  public static TableMetadata metadata(SparkSession spark, SourceInfo source) {
    CatalogTable table = source.table() == null ? null : catalogTable(spark, source.table());
    if (!source.format().equals("delta")) {
      return table == null ? TableMetadata.NONE : TableMetadata.from(table);
    }
    Row detail =
        spark
            .sql("DESCRIBE DETAIL delta.`" + source.location().replace("`", "``") + "`")
            .select("description", "properties")
            .first();
    return TableMetadata.fromDelta(
        detail.isNullAt(0) ? null : detail.getString(0),
        detail.isNullAt(1) ? java.util.Map.of() : detail.<String, String>getJavaMap(1),
        spark.read().format("delta").load(source.location()).schema(),
        table == null ? null : table.owner());
  }

  /** The metastore's definition of a table. */
  public static CatalogTable catalogTable(SparkSession spark, String name) {
    try {
      return spark.sessionState().catalog().getTableMetadata(identifier(spark, name));
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException
        | org.apache.spark.sql.catalyst.analysis.NoSuchDatabaseException e) {
      throw new IllegalStateException("Table " + name + " is gone from the metastore", e);
    }
  }

  /** A table name parsed the way Spark SQL parses it. */
  public static TableIdentifier identifier(SparkSession spark, String name) {
    try {
      return spark.sessionState().sqlParser().parseTableIdentifier(name);
    } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a table name: " + e.getMessage(), e);
    }
  }

  private static long[] size(SparkSession spark, String location) {
    try {
      Path path = new Path(location);
      FileSystem fileSystem = path.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fileSystem.exists(path)) {
        return new long[] {0, 0};
      }
      ContentSummary summary = fileSystem.getContentSummary(path);
      return new long[] {summary.getLength(), summary.getFileCount()};
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR, "Cannot measure " + location + ": " + e.getMessage(), e);
    }
  }
}
