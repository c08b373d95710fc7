package io.dsmigrate.job.migrate;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.TableMetadata;
import io.dsmigrate.job.spec.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Puts what a Spark-path target carries besides its rows ({@link TableMetadata}) where the target
 * keeps it: column comments into the rows' schema (so they are written with them), the owner (and,
 * for a Parquet table, the comment and properties) into its metastore entry, and the comment,
 * properties and column comments of a source converted to Delta in place into one more commit of
 * its log. A Delta target's comment and properties go with its write ({@code DatasetMigration}).
 */
final class TargetMetadata {
  private final SparkSession spark;
  private final TableMetadata metadata;

  TargetMetadata(SparkSession spark, TableMetadata metadata) {
    this.spark = requireNonNull(spark, "spark is null");
    this.metadata = requireNonNull(metadata, "metadata is null");
  }

  TableMetadata metadata() {
    return metadata;
  }

  /**
   * The rows with the target's column comments and no others, for the write (the rows are the same;
   * only their schema's comments change).
   */
  Dataset<Row> commented(Dataset<Row> rows) {
    StructType schema = rows.schema();
    StructType commented = metadata.commented(schema);
    if (commented.equals(schema)) {
      return rows;
    }
    Column[] columns = new Column[commented.fields().length];
    for (int i = 0; i < columns.length; i++) {
      StructField field = commented.fields()[i];
      columns[i] = rows.col(quoted(field.name())).as(field.name(), field.metadata());
    }
    return rows.select(columns);
  }

  /**
   * Gives {@code table} the source's owner: the metastore makes the run's user the owner of what it
   * creates. Nothing happens when the source has none or it is the same.
   */
  void keepOwner(String table) {
    CatalogTable written = SourceResolver.catalogTable(spark, Names.table(table));
    CatalogTable owned = TableMetadata.ownedBy(written, metadata.owner());
    if (owned != written) {
      spark.sessionState().catalog().alterTable(owned);
    }
  }

  /** A Parquet table keeps its comment, properties and owner in its metastore entry. */
  void describeParquetTable(String table) {
    CatalogTable written = SourceResolver.catalogTable(spark, Names.table(table));
    spark.sessionState().catalog().alterTable(metadata.describe(written));
  }

  /**
   * A source converted to Delta in place keeps its column comments and properties, but not its
   * comment, and has none of the spec's or dsmigrate's: they are set in commits of the attempt
   * (tagged as the conversion is), one for the table, one for the columns whose comments change.
   *
   * @param table the converted table, or null for a converted directory at {@code location}
   */
  void afterConversion(String table, String location) throws Exception {
    Identifier identifier =
        table != null
            ? Identifier.of(
                new String[] {Names.table(table).substring(0, Names.table(table).indexOf('.'))},
                Names.table(table).substring(Names.table(table).indexOf('.') + 1))
            : Identifier.of(new String[] {"delta"}, location);
    TableCatalog catalog = (TableCatalog) spark.sessionState().catalogManager().v2SessionCatalog();
    org.apache.spark.sql.connector.catalog.Table converted = catalog.loadTable(identifier);
    Map<String, String> now = converted.properties();
    List<TableChange> tableChanges = new ArrayList<>();
    if (metadata.comment() != null
        && !metadata.comment().equals(now.get(TableCatalog.PROP_COMMENT))) {
      tableChanges.add(TableChange.setProperty(TableCatalog.PROP_COMMENT, metadata.comment()));
    }
    metadata
        .properties()
        .forEach(
            (key, value) -> {
              if (!value.equals(now.get(key))) {
                tableChanges.add(TableChange.setProperty(key, value));
              }
            });
    List<TableChange> columnChanges = new ArrayList<>();
    for (StructField field : schemaOf(converted)) {
      String wanted = metadata.columnComments().get(field.name());
      String has =
          field.getComment().isDefined() && !field.getComment().get().isEmpty()
              ? field.getComment().get()
              : null;
      if (!Objects.equals(wanted, has)) {
        columnChanges.add(
            TableChange.updateColumnComment(
                new String[] {field.name()}, wanted == null ? "" : wanted));
      }
    }
    // Delta tags a commit with the active session's commit tag: this attempt's session, as for
    // the attempt's SQL and writes.
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    SparkSession.setActiveSession(spark);
    try {
      if (!tableChanges.isEmpty()) {
        catalog.alterTable(identifier, tableChanges.toArray(TableChange[]::new));
      }
      if (!columnChanges.isEmpty()) {
        catalog.alterTable(identifier, columnChanges.toArray(TableChange[]::new));
      }
    } finally {
      if (active.isDefined()) {
        SparkSession.setActiveSession(active.get());
      } else {
        SparkSession.clearActiveSession();
      }
    }
  }

  private StructField[] schemaOf(org.apache.spark.sql.connector.catalog.Table table) {
    return org.apache.spark.sql.connector.catalog.CatalogV2Util.v2ColumnsToStructType(
            table.columns())
        .fields();
  }

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
