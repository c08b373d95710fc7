package io.dsmigrate.job.assess;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.results.OwnTables;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The inventory, {@code <database>.inventory}: a Delta table of one row per table or view per
 * assessment ({@link InventoryRow}), appended, so that assessments can be compared over time. The
 * report's Assessment section reads it.
 */
public final class InventoryTable {
  /** The columns, in order. */
  public static final String COLUMNS =
      "assessment_id STRING, assessed_at TIMESTAMP, `database` STRING, `table` STRING,"
          + " kind STRING, format STRING, location STRING, size_bytes BIGINT, files BIGINT,"
          + " partition_columns ARRAY<STRING>, partitions BIGINT, partitions_outside BIGINT,"
          + " owner STRING, comment STRING, properties MAP<STRING, STRING>,"
          + " dependent_views ARRAY<STRING>, migratable BOOLEAN, issues ARRAY<STRING>,"
          + " spec_file STRING";

  private static final StructType SCHEMA = StructType.fromDDL(COLUMNS);

  private final SparkSession spark;
  private final String name;

  private InventoryTable(SparkSession spark, String name) {
    this.spark = requireNonNull(spark, "spark is null");
    this.name = name;
  }

  /** The inventory in {@code database}, created (with the database) when missing. */
  public static InventoryTable in(SparkSession spark, String database) {
    InventoryTable table = new InventoryTable(spark, database + ".inventory");
    OwnTables.createIfMissing(
        spark, table.name, COLUMNS, "dsmigrate: one row per table or view per assessment");
    return table;
  }

  public String name() {
    return name;
  }

  /** Appends {@code rows} in one commit. */
  public void append(List<InventoryRow> rows) {
    List<Row> data = new ArrayList<>();
    for (InventoryRow row : rows) {
      data.add(
          RowFactory.create(
              row.assessmentId(),
              row.assessedAt(),
              row.database(),
              row.table(),
              row.kind(),
              row.format(),
              row.location(),
              row.sizeBytes(),
              row.files(),
              CollectionConverters.asScala(row.partitionColumns()).toSeq(),
              row.partitions(),
              row.partitionsOutside(),
              row.owner(),
              row.comment(),
              CollectionConverters.asScala(row.properties()),
              CollectionConverters.asScala(row.dependentViews()).toSeq(),
              row.migratable(),
              CollectionConverters.asScala(row.issues()).toSeq(),
              row.specFile()));
    }
    spark.createDataFrame(data, SCHEMA).write().format("delta").mode("append").saveAsTable(name);
  }
}
