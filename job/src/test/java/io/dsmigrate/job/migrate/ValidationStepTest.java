package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.DiffSamplesTable;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.validation.DatasetComparison;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The validate step of a migration: keyed figures, consumer queries, results and samples. */
class ValidationStepTest extends JobTestBase {

  @BeforeAll
  static void legacy() {
    spark().sql("CREATE DATABASE IF NOT EXISTS vstep_legacy");
    spark()
        .range(40)
        .selectExpr("id", "concat('k', id % 4) AS kind", "CAST(id AS DOUBLE) / 3 AS amount")
        .write()
        .format("parquet")
        .saveAsTable("vstep_legacy.sales");
  }

  @Test
  void keyedFiguresAndConsumerQueriesAreRecordedAndAChangedQueryResultFailsTheDataset() {
    Settings settings = settings("vstep_results");
    FleetReport report =
        run(
            settings,
            specs(
                "queries.yaml",
                """
                datasets:
                  - id: same
                    source: { table: vstep_legacy.sales }
                    target: { table: vstep_new.same }
                    validation:
                      key: [ id ]
                      queries:
                        - "SELECT kind, count(*) AS n, sum(amount) AS total FROM dataset GROUP BY kind"
                  - id: renamed
                    source: { table: vstep_legacy.sales }
                    target: { table: vstep_new.renamed }
                    transform:
                      rename: { kind: category }
                    validation:
                      queries:
                        - old: "SELECT kind, max(id) AS top FROM dataset GROUP BY kind"
                          new: "SELECT category AS kind, max(id) AS top FROM dataset GROUP BY category"
                  - id: rounded
                    source: { table: vstep_legacy.sales }
                    target: { table: vstep_new.rounded }
                    transform:
                      cast: { amount: "decimal(18,2)" }
                    validation:
                      key: [ id ]
                      queries:
                        - "SELECT count(*) AS n FROM dataset"
                        - "SELECT kind, sum(amount) AS total FROM dataset GROUP BY kind"
                  - id: bad_key
                    source: { table: vstep_legacy.sales }
                    target: { table: vstep_new.bad_key }
                    validation:
                      key: [ sale_id ]
                """),
            "run-v1");

    DatasetResult same = result(report, "same");
    assertThat(same.status()).as(same.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(same.validation().rowsChanged()).isZero();
    assertThat(same.validation().duplicateKeys()).isZero();
    assertThat(same.validation().queries()).hasSize(1);
    assertThat(same.validation().queries().get(0).passed()).isTrue();
    assertThat(same.validation().queries().get(0).rowsOld()).isEqualTo(4);

    DatasetResult renamed = result(report, "renamed");
    assertThat(renamed.status()).as(renamed.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(renamed.validation().queriesPassed()).isTrue();

    // The rows match what the transform produced, but a consumer summing amounts sees rounded
    // sums: the dataset fails and its target is removed.
    DatasetResult rounded = result(report, "rounded");
    assertThat(rounded.status()).isEqualTo(Status.FAILED);
    assertThat(rounded.errorClass()).isEqualTo("QUERY_MISMATCH");
    assertThat(rounded.contentMatch()).isTrue();
    assertThat(rounded.errorMessage())
        .contains("rounded")
        .contains("SELECT kind, sum(amount) AS total FROM dataset GROUP BY kind")
        .contains("queries.yaml");
    assertThat(rounded.validation().queries())
        .extracting(q -> q.passed())
        .containsExactly(true, false);
    assertThat(spark().catalog().tableExists("vstep_new.rounded")).isFalse();

    DatasetResult badKey = result(report, "bad_key");
    assertThat(badKey.status()).isEqualTo(Status.FAILED);
    assertThat(badKey.errorMessage())
        .contains("Cannot validate bad_key")
        .contains("'sale_id'")
        .contains("queries.yaml");

    // The same figures are in the results table, for SQL.
    Row row =
        spark()
            .sql(
                "SELECT rows_changed, duplicate_keys, queries_passed, size(queries),"
                    + " queries[1].passed, queries[1].detail FROM vstep_results.migration_results"
                    + " WHERE dataset_id = 'rounded'")
            .first();
    assertThat(row.getLong(0)).isZero();
    assertThat(row.getLong(1)).isZero();
    assertThat(row.getBoolean(2)).isFalse();
    assertThat(row.getInt(3)).isEqualTo(2);
    assertThat(row.getBoolean(4)).isFalse();
    assertThat(row.getString(5)).contains("results differ");
    Row sameRow =
        spark()
            .sql(
                "SELECT rows_changed, queries_passed, columns_differing FROM"
                    + " vstep_results.migration_results WHERE dataset_id = 'same'")
            .first();
    assertThat(sameRow.getLong(0)).isZero();
    assertThat(sameRow.getBoolean(1)).isTrue();
    assertThat(sameRow.getList(2)).isEmpty();
  }

  @Test
  void samplesLandInTheDiffSamplesTableTaggedWithRunAndDataset() {
    ResultsTable.in(spark(), "vstep_samples");
    DiffSamplesTable samples = DiffSamplesTable.of("vstep_samples");
    DatasetComparison.of(
            spark().table("vstep_legacy.sales"),
            spark()
                .table("vstep_legacy.sales")
                .where("id <> 7")
                .selectExpr("id", "kind", "amount + 1 AS amount"))
        .key(List.of("id"))
        .samples(3, samples.sink("run-s", "sales"))
        .execute();
    List<Row> rows =
        spark()
            .sql(
                "SELECT kind, count(*), min(run_id), min(dataset_id), min(size(columns)) FROM "
                    + samples.name()
                    + " GROUP BY kind ORDER BY kind")
            .collectAsList();
    assertThat(rows)
        .extracting(Row::toString)
        .containsExactly("[changed,3,run-s,sales,1]", "[missing,1,run-s,sales,0]");
  }
}
