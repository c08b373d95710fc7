package io.dsmigrate.launcher.report;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.dsmigrate.job.cutover.DroppedBackupsTable;
import io.dsmigrate.job.cutover.DroppedBackupsTable.DroppedBackup;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.DiffSamplesTable;
import io.dsmigrate.job.results.ResultsTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * Reads what a report shows from the results database: the results, diff samples and dropped
 * backups tables, and the inventory that {@code dsmigrate assess} writes.
 */
public final class ReportSources {
  /** Diff samples shown per dataset and kind: enough to see the pattern, few enough to read. */
  static final int SAMPLES_PER_KIND = 10;

  private final SparkSession spark;
  private final String database;
  private final ResultsTable results;

  private ReportSources(SparkSession spark, String database) {
    this.spark = requireNonNull(spark, "spark is null");
    this.database = requireNonNull(database, "database is null");
    this.results = ResultsTable.in(spark, database);
  }

  /** The tables of {@code database} (the results database). */
  public static ReportSources of(SparkSession spark, String database) {
    return new ReportSources(spark, database);
  }

  /** The inventory table's name. */
  public String inventoryTable() {
    return database + ".inventory";
  }

  /** The run whose row was committed last, or null when none is recorded. */
  public String lastRunId() {
    return results.lastRunId();
  }

  /** The assessment recorded last, or null when there is none (or no inventory table). */
  public String lastAssessmentId() {
    if (!spark.catalog().tableExists(inventoryTable())) {
      return null;
    }
    List<Row> rows =
        spark
            .table(inventoryTable())
            .orderBy(col("assessed_at").desc_nulls_last(), col("assessment_id").desc())
            .select("assessment_id")
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? null : rows.get(0).getString(0);
  }

  /**
   * A run's report data, with the last assessment when there is one.
   *
   * @throws IllegalArgumentException when the results table has no row of the run
   */
  public ReportData run(String runId) {
    List<DatasetResult> datasets = new ArrayList<>(results.latestOutcomesOfRun(runId).values());
    if (datasets.isEmpty()) {
      throw new IllegalArgumentException(
          "there is no run "
              + runId
              + " in "
              + results.name()
              + "; give a run id that table holds (dsmigrate status shows the last one)");
    }
    datasets.sort(
        Comparator.comparingInt(DatasetResult::wave)
            .thenComparing(
                DatasetResult::startedAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(DatasetResult::datasetId));
    List<DroppedBackup> dropped = new ArrayList<>();
    for (DroppedBackup backup : DroppedBackupsTable.in(spark, database).all()) {
      if (backup.runId().equals(runId)) {
        dropped.add(backup);
      }
    }
    String assessment = lastAssessmentId();
    return new ReportData(
        runId,
        results.name(),
        datasets,
        samples(runId),
        dropped,
        assessment,
        assessment == null ? List.of() : inventory(assessment));
  }

  /**
   * An assessment's report data, without a run.
   *
   * @throws IllegalArgumentException when the inventory has no entry of the assessment
   */
  public ReportData assessment(String assessmentId) {
    List<InventoryEntry> entries =
        spark.catalog().tableExists(inventoryTable()) ? inventory(assessmentId) : List.of();
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(
          "there is no assessment "
              + assessmentId
              + " in "
              + inventoryTable()
              + "; run dsmigrate assess first, or give an assessment id that table holds");
    }
    return new ReportData(
        null, results.name(), List.of(), List.of(), List.of(), assessmentId, entries);
  }

  private List<DiffSample> samples(String runId) {
    List<DiffSample> samples = new ArrayList<>();
    List<Row> rows =
        spark
            .table(DiffSamplesTable.of(database).name())
            // A value, never SQL text: a run id is whatever --run-id said.
            .where(col("run_id").equalTo(lit(runId)))
            .withColumn(
                "__rank",
                row_number()
                    .over(
                        Window.partitionBy("dataset_id", "kind")
                            .orderBy(col("key").asc_nulls_last(), col("old_value"))))
            .where(col("__rank").leq(SAMPLES_PER_KIND))
            .orderBy("dataset_id", "kind", "__rank")
            .collectAsList();
    for (Row row : rows) {
      samples.add(
          new DiffSample(
              row.getAs("dataset_id"),
              row.getAs("kind"),
              row.getAs("key"),
              row.isNullAt(row.fieldIndex("columns"))
                  ? List.of()
                  : row.getList(row.fieldIndex("columns")),
              row.getAs("old_value"),
              row.getAs("new_value")));
    }
    return samples;
  }

  private List<InventoryEntry> inventory(String assessmentId) {
    List<InventoryEntry> entries = new ArrayList<>();
    List<Row> rows =
        spark
            .table(inventoryTable())
            .where(col("assessment_id").equalTo(lit(assessmentId)))
            .orderBy("database", "table")
            .collectAsList();
    for (Row row : rows) {
      entries.add(
          new InventoryEntry(
              row.getAs("assessment_id"),
              row.getAs("assessed_at"),
              row.getAs("database"),
              row.getAs("table"),
              row.getAs("kind"),
              row.getAs("format"),
              row.getAs("size_bytes"),
              row.getAs("files"),
              row.getAs("partitions"),
              row.getAs("partitions_outside"),
              row.getAs("owner"),
              list(row, "dependent_views"),
              Boolean.TRUE.equals(row.getAs("migratable")),
              list(row, "issues"),
              row.getAs("spec_file")));
    }
    return entries;
  }

  private static List<String> list(Row row, String column) {
    int index = row.fieldIndex(column);
    return row.isNullAt(index) ? List.of() : row.getList(index);
  }
}
