package io.dsmigrate.job.assess;

import io.dsmigrate.job.plan.PartitionLayout;
import io.dsmigrate.job.plan.SourceInfo;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.Unfaithful;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.CalendarIntervalType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.apache.spark.sql.types.YearMonthIntervalType;

/**
 * Why a table would not be migrated faithfully by the spec an assessment drafts for it, each {@code
 * "what: why; what to do"}: what {@code plan} refuses ({@link Unfaithful}), column types Delta
 * cannot store, and, for a migration in place, what a run refuses or changes (a Delta table has
 * nothing to convert, files that cannot be read back from a snapshot, partitions outside the table
 * directory, partitions that cannot be snapshotted safely).
 */
final class TableIssues {
  private static final int PARTITIONS_NAMED = 3;

  private TableIssues() {}

  /**
   * The issues of {@code table}.
   *
   * @param layout its partitions (none for an unpartitioned table)
   * @param inPlace whether the draft migrates it in place (to its own name)
   */
  static List<String> of(
      SparkSession spark, CatalogTable table, PartitionLayout layout, boolean inPlace) {
    String name = table.identifier().unquotedString();
    List<String> issues = new ArrayList<>();
    Unfaithful.of(table).forEach(reason -> issues.add(reason.issue(table)));
    for (StructField field : table.schema().fields()) {
      unsupported(field.name(), field.dataType(), name, issues);
    }
    if (!inPlace) {
      return issues;
    }
    String format = SourceResolver.format(table);
    if (format.equals("delta")) {
      issues.add(
          "already delta: "
              + name
              + " is a Delta table already, so in place there is nothing to migrate and no spec is"
              + " drafted; to copy it to a new table, assess with --target-database NAME");
      return issues;
    }
    if (!SourceInfo.readableFromSnapshot(format.equals("hive-text") ? "text" : format)) {
      issues.add(
          "format: "
              + name
              + " is stored as "
              + format
              + ", which a migration in place cannot read back from its snapshot (only Delta,"
              + " Parquet and ORC); migrate it to a new table: assess with --target-database NAME");
    }
    List<PartitionLayout.Partition> outside =
        layout.partitions().stream().filter(p -> !layout.insideTable(p)).toList();
    if (!outside.isEmpty()) {
      issues.add(
          "partitions outside the table directory: "
              + outside.size()
              + " of "
              + layout.partitions().size()
              + " partitions of "
              + name
              + " are not under "
              + layout.tableLocation()
              + " ("
              + outside.stream()
                  .limit(PARTITIONS_NAMED)
                  .map(p -> p.describe() + " at " + p.location())
                  .collect(Collectors.joining(", "))
              + (outside.size() > PARTITIONS_NAMED ? ", ..." : "")
              + "): a migration in place takes their rows into the Delta table under the table"
              + " directory and leaves those directories as they are, so what writes or reads them"
              + " there no longer meets the table; move them under the table directory (copy the"
              + " files, then ALTER TABLE ... PARTITION (...) SET LOCATION), or migrate it to a new"
              + " table: assess with --target-database NAME");
    }
    if (!layout.partitions().isEmpty()) {
      List<String> unsafe = layout.unsafeForSnapshot(spark, layout.tableLocation());
      if (!unsafe.isEmpty()) {
        issues.add(
            "partitions not safe to snapshot: "
                + String.join("; ", unsafe)
                + ": a migration in place refuses them before it changes anything; give each"
                + " partition a location of its own, outside other tables (ALTER TABLE ..."
                + " PARTITION (...) SET LOCATION, after moving its files), or migrate it to a new"
                + " table: assess with --target-database NAME");
      }
    }
    return issues;
  }

  /** Adds an issue for a column (or a field in it) of a type Delta cannot store. */
  private static void unsupported(String column, DataType type, String name, List<String> issues) {
    if (type instanceof StructType struct) {
      for (StructField field : struct.fields()) {
        unsupported(column + "." + field.name(), field.dataType(), name, issues);
      }
    } else if (type instanceof ArrayType array) {
      unsupported(column + "[]", array.elementType(), name, issues);
    } else if (type instanceof MapType map) {
      unsupported(column + "{key}", map.keyType(), name, issues);
      unsupported(column + "{value}", map.valueType(), name, issues);
    } else if (type instanceof NullType
        || type instanceof CalendarIntervalType
        || type instanceof YearMonthIntervalType
        || type instanceof DayTimeIntervalType
        || type instanceof UserDefinedType) {
      issues.add(
          "unsupported type: column "
              + column
              + " of "
              + name
              + " is "
              + type.sql()
              + ", which Delta cannot store; cast it to a type Delta stores (transform.cast) or"
              + " drop it (transform.drop) in the drafted spec");
    }
  }
}
