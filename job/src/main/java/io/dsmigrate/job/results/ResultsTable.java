package io.dsmigrate.job.results;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.split;

import io.dsmigrate.validation.QueryOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The results table: a Delta table, {@code <database>.migration_results}, one row per dataset per
 * run, appended (history is kept). This is the contract people query in SQL.
 */
public final class ResultsTable {
  /** One entry per consumer query. */
  private static final String QUERIES =
      "queries ARRAY<STRUCT<query: STRING, passed: BOOLEAN, rows_old: BIGINT, rows_new: BIGINT,"
          + " rows_missing: BIGINT, rows_extra: BIGINT, detail: STRING>>";

  /** The columns, in order. */
  public static final String COLUMNS =
      "run_id STRING NOT NULL, plan_id STRING, partition_index INT, dataset_id STRING NOT NULL,"
          + " status STRING NOT NULL, source STRING, target STRING, target_location STRING,"
          + " transform STRING, in_place BOOLEAN, source_rows BIGINT, target_rows BIGINT,"
          + " schema_match BOOLEAN, content_match BOOLEAN, rows_missing BIGINT, rows_extra BIGINT,"
          + " error_class STRING, error_message STRING, snapshot STRING,"
          + " target_previous_version BIGINT, spec_hash STRING, attempts INT,"
          + " consumers ARRAY<STRING>, started_at TIMESTAMP, finished_at TIMESTAMP,"
          + " duration_ms BIGINT, rows_changed BIGINT, keys_only_old BIGINT, keys_only_new BIGINT,"
          + " duplicate_keys BIGINT, rows_within_tolerance BIGINT, columns_differing ARRAY<STRING>,"
          + " samples_written BIGINT, queries_passed BOOLEAN, "
          + QUERIES
          + ", wave INT, backup_table STRING, owner STRING";

  private static final StructType SCHEMA = StructType.fromDDL(COLUMNS);

  private final SparkSession spark;
  private final String name;

  private ResultsTable(SparkSession spark, String database) {
    this.spark = requireNonNull(spark, "spark is null");
    this.name = database + ".migration_results";
  }

  /** The results table in {@code database}, created (with the database) when missing. */
  public static ResultsTable in(SparkSession spark, String database) {
    ResultsTable table = new ResultsTable(spark, database);
    OwnTables.createIfMissing(spark, table.name, COLUMNS, "dsmigrate: one row per dataset per run");
    table.addMissingColumns();
    DiffSamplesTable.in(spark, database);
    return table;
  }

  /** A results table written by an earlier version gets the columns added since, at its end. */
  private void addMissingColumns() {
    java.util.Set<String> present =
        new java.util.HashSet<>(java.util.Arrays.asList(spark.table(name).columns()));
    List<String> missing = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField field : SCHEMA.fields()) {
      if (!present.contains(field.name())) {
        missing.add(field.toDDL());
      }
    }
    if (!missing.isEmpty()) {
      spark.sql("ALTER TABLE " + name + " ADD COLUMNS (" + String.join(", ", missing) + ")");
    }
  }

  /**
   * The table's rows with the version of the Delta commit that appended each ({@code __committed},
   * read from the table's log: the file a row is in, as the commit that added it names it), so that
   * which of a dataset's rows is the latest follows the order in which they were committed, not the
   * clocks of the hosts that wrote them. Rows of files whose commit the log no longer holds (older
   * than its retention) get -1: older than every other.
   */
  private Dataset<Row> rowsInCommitOrder() {
    String location = spark.sql("DESCRIBE DETAIL " + name).first().<String>getAs("location");
    Dataset<Row> added =
        spark
            .read()
            .schema("add STRUCT<path: STRING>")
            .json(location + "/_delta_log/*.json")
            .where(col("add").isNotNull())
            .select(
                element_at(split(col("add.path"), "/"), -1).as("__file"),
                regexp_extract(col("_metadata.file_name"), "^(\\d+)\\.json$", 1)
                    .cast("long")
                    .as("__committed"));
    return spark
        .table(name)
        .withColumn("__file", element_at(split(col("_metadata.file_path"), "/"), -1))
        .join(broadcast(added), "__file", "left")
        .withColumn("__committed", coalesce(col("__committed"), lit(-1L)))
        .drop("__file");
  }

  public String name() {
    return name;
  }

  /** Appends rows in one Delta commit. */
  public void append(List<DatasetResult> results) {
    if (results.isEmpty()) {
      return;
    }
    List<Row> rows = new ArrayList<>();
    for (DatasetResult result : results) {
      rows.add(toRow(result));
    }
    spark.createDataFrame(rows, SCHEMA).write().format("delta").mode("append").saveAsTable(name);
  }

  /**
   * The last outcome of every dataset over all runs: its latest row that did something (SUCCEEDED,
   * FAILED, ROLLED_BACK); a SKIPPED, PAUSED or NOT_STARTED row only repeats the outcome before it.
   */
  public Map<String, DatasetResult> latestByDataset() {
    return latest(not(col("status").isin("SKIPPED", "DRY_RUN", "PAUSED", "NOT_STARTED")));
  }

  /** The latest row of every dataset in one run. */
  public Map<String, DatasetResult> latestOfRun(String runId) {
    // A value, never SQL text: a run id is whatever --run-id said.
    return latest(col("run_id").equalTo(lit(runId)));
  }

  /**
   * The latest outcome of every dataset in one run: as {@link #latestOfRun}, but a SKIPPED, PAUSED
   * or NOT_STARTED row (a rerun with the same run id) does not hide the outcome before it; a
   * dataset that has only such rows has its latest one.
   */
  public Map<String, DatasetResult> latestOutcomesOfRun(String runId) {
    Map<String, DatasetResult> latest = new LinkedHashMap<>(latestOfRun(runId));
    latest.putAll(
        latest(
            col("run_id")
                .equalTo(lit(runId))
                .and(not(col("status").isin("SKIPPED", "DRY_RUN", "PAUSED", "NOT_STARTED")))));
    return latest;
  }

  /** The run whose row was committed last, or null when there is none. */
  public String lastRunId() {
    List<Row> rows =
        rowsInCommitOrder()
            .orderBy(col("__committed").desc(), col("finished_at").desc_nulls_last())
            .select("run_id")
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? null : rows.get(0).getString(0);
  }

  private Map<String, DatasetResult> latest(Column condition) {
    List<Row> rows =
        rowsInCommitOrder()
            .where(condition)
            .withColumn(
                "__rank",
                row_number()
                    .over(
                        Window.partitionBy("dataset_id")
                            .orderBy(
                                col("__committed").desc(),
                                col("finished_at").desc(),
                                col("status").equalTo(lit("SKIPPED")).asc())))
            .where(col("__rank").equalTo(1))
            .drop("__committed")
            .collectAsList();
    Map<String, DatasetResult> latest = new LinkedHashMap<>();
    for (Row row : rows) {
      DatasetResult result = fromRow(row);
      latest.put(result.datasetId(), result);
    }
    return latest;
  }

  private static Row toRow(DatasetResult r) {
    ValidationFigures v = r.validation();
    return RowFactory.create(
        r.runId(),
        r.planId(),
        r.partition(),
        r.datasetId(),
        r.status().name(),
        r.source(),
        r.target(),
        r.targetLocation(),
        r.transformKind(),
        r.inPlace(),
        r.sourceRows(),
        r.targetRows(),
        r.schemaMatch(),
        r.contentMatch(),
        r.rowsMissing(),
        r.rowsExtra(),
        r.errorClass(),
        r.errorMessage(),
        r.snapshot(),
        r.targetPreviousVersion(),
        r.specHash(),
        r.attempts(),
        CollectionConverters.asScala(r.consumers()).toSeq(),
        r.startedAt(),
        r.finishedAt(),
        r.durationMs(),
        v == null ? null : v.rowsChanged(),
        v == null ? null : v.keysOnlyOld(),
        v == null ? null : v.keysOnlyNew(),
        v == null ? null : v.duplicateKeys(),
        v == null ? null : v.rowsWithinTolerance(),
        v == null ? null : CollectionConverters.asScala(v.columnsDiffering()).toSeq(),
        v == null ? null : v.samplesWritten(),
        v == null || v.queries().isEmpty() ? null : v.queriesPassed(),
        v == null ? null : CollectionConverters.asScala(queryRows(v.queries())).toSeq(),
        r.wave(),
        r.backupTable(),
        r.owner());
  }

  /**
   * A row as JSON, its fields named as the table's columns (what a notice carries, and what {@code
   * SELECT to_json(struct(*))} gives of the row).
   */
  public static String json(DatasetResult result) {
    Row row = toRow(result);
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, SCHEMA)
        .json();
  }

  private static List<Row> queryRows(List<QueryOutcome> queries) {
    List<Row> rows = new ArrayList<>();
    for (QueryOutcome q : queries) {
      rows.add(
          RowFactory.create(
              q.query(),
              q.passed(),
              q.rowsOld(),
              q.rowsNew(),
              q.rowsMissing(),
              q.rowsExtra(),
              q.detail()));
    }
    return rows;
  }

  private static DatasetResult fromRow(Row row) {
    List<String> consumers =
        row.isNullAt(row.fieldIndex("consumers"))
            ? List.of()
            : row.getList(row.fieldIndex("consumers"));
    return DatasetResult.recorded(
        new DatasetResult.Run(
            row.getAs("run_id"),
            row.getAs("plan_id"),
            row.isNullAt(row.fieldIndex("partition_index"))
                ? 0
                : row.<Integer>getAs("partition_index"),
            row.isNullAt(row.fieldIndex("wave")) ? 0 : row.<Integer>getAs("wave")),
        new DatasetResult.Subject(
            row.getAs("dataset_id"),
            row.getAs("source"),
            row.getAs("target"),
            row.getAs("target_location"),
            row.getAs("transform"),
            Boolean.TRUE.equals(row.getAs("in_place")),
            row.getAs("spec_hash"),
            consumers,
            row.getAs("owner")),
        Status.valueOf(row.getAs("status")),
        row.getAs("error_class"),
        row.getAs("error_message"),
        row.isNullAt(row.fieldIndex("attempts")) ? 0 : row.<Integer>getAs("attempts"),
        new DatasetResult.Counts(
            row.getAs("source_rows"),
            row.getAs("target_rows"),
            row.getAs("schema_match"),
            row.getAs("content_match"),
            row.getAs("rows_missing"),
            row.getAs("rows_extra")),
        validationOf(row),
        new DatasetResult.UndoPoints(
            row.getAs("snapshot"), row.getAs("target_previous_version"), row.getAs("backup_table")),
        row.getAs("started_at"),
        row.getAs("finished_at"),
        row.isNullAt(row.fieldIndex("duration_ms")) ? 0 : row.<Long>getAs("duration_ms"));
  }

  private static ValidationFigures validationOf(Row row) {
    if (row.isNullAt(row.fieldIndex("samples_written"))) {
      return null;
    }
    List<QueryOutcome> queries = new ArrayList<>();
    if (!row.isNullAt(row.fieldIndex("queries"))) {
      for (Row q : row.<Row>getList(row.fieldIndex("queries"))) {
        queries.add(
            new QueryOutcome(
                q.getString(0),
                q.getBoolean(1),
                q.isNullAt(2) ? null : q.getLong(2),
                q.isNullAt(3) ? null : q.getLong(3),
                q.isNullAt(4) ? 0 : q.getLong(4),
                q.isNullAt(5) ? 0 : q.getLong(5),
                q.getString(6)));
      }
    }
    return new ValidationFigures(
        row.getAs("rows_changed"),
        row.getAs("keys_only_old"),
        row.getAs("keys_only_new"),
        row.getAs("duplicate_keys"),
        row.getAs("rows_within_tolerance"),
        row.isNullAt(row.fieldIndex("columns_differing"))
            ? List.of()
            : row.getList(row.fieldIndex("columns_differing")),
        row.<Long>getAs("samples_written"),
        queries);
  }
}
