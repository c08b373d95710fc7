package io.dsmigrate.job.plan;

import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import io.dsmigrate.job.spec.TargetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Whether a dataset is migrated by converting its source to Delta where it stands ({@code CONVERT
 * TO DELTA}: a Delta log is written beside the Parquet files, no data file is read into a new one)
 * instead of snapshotting, clearing and rewriting it.
 *
 * <p>That is correct only when the target is exactly the source's files under a Delta log: the
 * migration is in place (the target is the source's table, or the source's directory), the source
 * is Parquet (a directory, a Spark Parquet table or a Hive table with the Parquet serde), the
 * target is Delta, nothing is transformed, the target's {@code partitionBy} names the source's
 * partition columns (none for an unpartitioned source), and there is no cut-over. A partitioned
 * table converts only when every registered partition is where Hive puts it ({@code <table
 * dir>/col=value/...}): Delta takes partition values from the directory names, so a partition
 * elsewhere would be lost or misread.
 *
 * <pre>{@code
 * ConvertInPlace.Decision decision = ConvertInPlace.applies(spec, source, layout);
 * if (decision.converts()) { ... } else { LOG.info(decision.reason()); }
 * }</pre>
 */
public final class ConvertInPlace {
  private ConvertInPlace() {}

  /**
   * Whether a dataset converts in place.
   *
   * @param reason why it does not (null when it does), for plans and logs
   */
  public record Decision(boolean converts, String reason) {
    static Decision yes() {
      return new Decision(true, null);
    }

    static Decision no(String reason) {
      return new Decision(false, reason);
    }
  }

  /**
   * Whether the dataset converts in place, from its spec and its source as resolved. A partitioned
   * table is refused here, since where its partitions lie is not known: give its {@link
   * PartitionLayout} to {@link #applies(DatasetSpec, SourceInfo, PartitionLayout)}.
   */
  public static Decision applies(DatasetSpec spec, SourceInfo source) {
    return applies(spec, source, null);
  }

  /**
   * Whether the dataset converts in place.
   *
   * @param layout the registered partitions of a partitioned source table, or null when not known
   *     (a partitioned table is then refused)
   */
  public static Decision applies(DatasetSpec spec, SourceInfo source, PartitionLayout layout) {
    if (source == null) {
      return Decision.no("the source is not resolved");
    }
    TargetSpec target = spec.target();
    boolean sameTable =
        target.table() != null
            && source.table() != null
            && Names.table(target.table()).equals(source.table());
    boolean samePath =
        target.table() == null
            && source.table() == null
            && target.path() != null
            && Names.path(target.path()).equals(Names.path(source.location()));
    if (!sameTable && !samePath) {
      return Decision.no("not in place: the target is not the source's own table or directory");
    }
    if (target.path() != null && !Names.path(target.path()).equals(Names.path(source.location()))) {
      return Decision.no("the target moves the table to another location (" + target.path() + ")");
    }
    if (!source.format().equals("parquet")) {
      return Decision.no("the source is " + source.format() + ", not Parquet");
    }
    if (!target.format().equals("delta")) {
      return Decision.no("the target format is " + target.format() + ", not delta");
    }
    if (!spec.transform().kind().equals("none")) {
      return Decision.no("the spec transforms the rows (" + spec.transform().kind() + ")");
    }
    if (spec.cutover()) {
      return Decision.no("the spec asks for a cut-over");
    }
    if (source.files() == 0) {
      return Decision.no("the source holds no files (Delta converts only existing Parquet files)");
    }
    // A target without partitionBy is written unpartitioned, so only the source's own partition
    // columns, in its order, keep the table as the rewrite would make it.
    if (!lowerCase(target.partitionBy()).equals(lowerCase(source.partitionColumns()))) {
      return Decision.no(
          "the target is partitioned by "
              + target.partitionBy()
              + ", the source by "
              + source.partitionColumns());
    }
    if (source.table() != null && !source.partitionColumns().isEmpty()) {
      if (layout == null) {
        return Decision.no(
            "the source table is partitioned and where its partitions lie is not known");
      }
      List<String> misplaced = misplaced(source, layout);
      if (!misplaced.isEmpty()) {
        return Decision.no(
            "partitions of the source table are not in Hive's layout under its directory: "
                + String.join(", ", misplaced.subList(0, Math.min(5, misplaced.size())))
                + (misplaced.size() > 5 ? " and " + (misplaced.size() - 5) + " more" : ""));
      }
    }
    return Decision.yes();
  }

  /** The partitions that are not at {@code <table dir>/col=value/...} (with Hive's escaping). */
  private static List<String> misplaced(SourceInfo source, PartitionLayout layout) {
    List<String> misplaced = new ArrayList<>();
    Path table = new Path(java.net.URI.create(layout.tableLocation()));
    for (PartitionLayout.Partition partition : layout.partitions()) {
      Path expected = table;
      for (String column : source.partitionColumns()) {
        String value = valueOf(partition.values(), column);
        expected =
            new Path(
                expected,
                ExternalCatalogUtils.getPartitionPathString(
                    column, value == null ? ExternalCatalogUtils.DEFAULT_PARTITION_NAME() : value));
      }
      if (partition.location().equals("(none)")
          || !partition.path().toUri().normalize().equals(expected.toUri().normalize())) {
        misplaced.add(partition.describe() + " at " + partition.location());
      }
    }
    return misplaced;
  }

  private static String valueOf(Map<String, String> values, String column) {
    for (Map.Entry<String, String> value : values.entrySet()) {
      if (value.getKey().equalsIgnoreCase(column)) {
        return value.getValue();
      }
    }
    return null;
  }

  private static List<String> lowerCase(List<String> names) {
    return names.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * The partition columns that Spark found in the directory names of a Parquet directory it reads
   * ({@code rows} read by path), in order; empty when it is not partitioned.
   */
  public static List<String> pathPartitionColumns(Dataset<Row> rows) {
    List<String> columns = new ArrayList<>();
    LogicalPlan plan = rows.queryExecution().analyzed();
    scala.collection.Iterator<LogicalPlan> nodes = plan.collectLeaves().iterator();
    while (nodes.hasNext()) {
      if (nodes.next() instanceof LogicalRelation relation
          && relation.relation() instanceof HadoopFsRelation files) {
        for (StructField field : files.partitionSchema().fields()) {
          columns.add(field.name());
        }
      }
    }
    return columns;
  }

  /**
   * The statement that converts the source: by table name for a table (Delta takes its partitions
   * from the metastore and updates its definition), by path for a directory, with its partition
   * columns and their types (from the source's schema) when it has any.
   */
  public static String statement(SourceInfo source) {
    if (source.table() != null) {
      return "CONVERT TO DELTA " + Names.quoted(source.table());
    }
    String statement = "CONVERT TO DELTA parquet.`" + source.location().replace("`", "``") + "`";
    if (source.partitionColumns().isEmpty()) {
      return statement;
    }
    StructType schema = StructType.fromDDL(source.schemaDdl());
    List<String> columns = new ArrayList<>();
    for (String column : source.partitionColumns()) {
      StructField field = schema.apply(schema.fieldIndex(column));
      columns.add("`" + field.name().replace("`", "``") + "` " + field.dataType().sql());
    }
    return statement + " PARTITIONED BY (" + String.join(", ", columns) + ")";
  }
}
