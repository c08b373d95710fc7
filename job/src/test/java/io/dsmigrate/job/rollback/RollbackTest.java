package io.dsmigrate.job.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollbackTest extends JobTestBase {
  @Test
  void inPlaceMigrationsRollBackToTheExactTablesAndFiles() {
    spark().sql("CREATE DATABASE IF NOT EXISTS rb_legacy");
    spark().conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    spark()
        .sql(
            "CREATE TABLE rb_legacy.inventory (sku STRING, qty INT, price DECIMAL(9,2)) STORED AS PARQUET");
    spark()
        .range(30)
        .selectExpr(
            "concat('s', id) AS sku",
            "CAST(id AS INT) AS qty",
            "CAST(id / 4 AS DECIMAL(9,2)) AS price")
        .write()
        .insertInto("rb_legacy.inventory");
    spark()
        .sql(
            "CREATE TABLE rb_legacy.events (id BIGINT, v STRING) PARTITIONED BY (day DATE) STORED AS PARQUET");
    spark()
        .range(20)
        .selectExpr(
            "id",
            "CASE WHEN id % 3 = 0 THEN NULL ELSE 'x' END AS v",
            "date_add(DATE'2024-05-01', CAST(id % 4 AS INT)) AS day")
        .write()
        .insertInto("rb_legacy.events");
    spark()
        .range(15)
        .selectExpr("id", "id * 2 AS twice")
        .write()
        .format("delta")
        .saveAsTable("rb_legacy.ledger");
    spark().range(12).selectExpr("id", "concat('u', id) AS url").write().parquet(path("clicks"));
    spark().range(10).write().format("parquet").saveAsTable("rb_legacy.untouched");

    TableState inventory = state("rb_legacy.inventory");
    TableState events = state("rb_legacy.events");
    TableState ledger = state("rb_legacy.ledger");
    List<String> clicks = sortedRows(spark().read().parquet(path("clicks")));
    long ledgerVersion = deltaVersion("rb_legacy.ledger");

    Settings settings = settings("rb_results");
    FleetReport report =
        run(
            settings,
            specs(
                "inplace.yaml",
                """
                datasets:
                  - id: inventory
                    source: { table: rb_legacy.inventory }
                    target: { table: rb_legacy.inventory }
                    transform: { cast: { qty: bigint } }
                  - id: events
                    source: { table: rb_legacy.events }
                    target: { table: rb_legacy.events, partitionBy: [ day ] }
                  - id: ledger
                    source: { table: rb_legacy.ledger }
                    target: { table: rb_legacy.ledger }
                    transform: { rename: { twice: doubled } }
                  - id: clicks
                    source: { path: "%s", format: parquet }
                    target: { path: "%s" }
                  - id: copy
                    source: { table: rb_legacy.untouched }
                    target: { table: rb_new.copy }
                """
                    .formatted(path("clicks"), path("clicks"))),
            "run-inplace");
    for (DatasetResult result : report.results()) {
      assertThat(result.status())
          .as(result.datasetId() + ": " + result.errorMessage())
          .isEqualTo(Status.SUCCEEDED);
    }
    assertThat(result(report, "inventory").inPlace()).isTrue();
    assertThat(result(report, "inventory").snapshot()).startsWith("copy:");
    assertThat(result(report, "ledger").snapshot())
        .isEqualTo("delta:" + result(report, "ledger").targetLocation() + "@v" + ledgerVersion);
    assertThat(result(report, "copy").inPlace()).isFalse();
    assertThat(state("rb_legacy.inventory").provider()).isEqualTo("delta");
    assertThat(spark().table("rb_legacy.inventory").schema().apply("qty").dataType().simpleString())
        .isEqualTo("bigint");
    assertThat(state("rb_legacy.events").provider()).isEqualTo("delta");
    assertThat(spark().table("rb_legacy.ledger").columns()).contains("doubled");
    assertThat(spark().read().format("delta").load(path("clicks")).count()).isEqualTo(12);

    List<Rollback.Outcome> outcomes =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-inplace")
            .execute();
    assertThat(outcomes)
        .allSatisfy(
            o -> assertThat(o.rolledBack()).as(o.datasetId() + ": " + o.message()).isTrue());

    assertThat(state("rb_legacy.inventory")).isEqualTo(inventory);
    assertThat(state("rb_legacy.events")).isEqualTo(events);
    assertThat(sortedRows(spark().table("rb_legacy.ledger"))).isEqualTo(ledger.rows());
    assertThat(spark().table("rb_legacy.ledger").columns()).containsExactly("id", "twice");
    assertThat(sortedRows(spark().read().parquet(path("clicks")))).isEqualTo(clicks);
    assertThat(new java.io.File(path("clicks"), "_delta_log")).doesNotExist();
    assertThat(spark().catalog().tableExists("rb_new.copy")).isFalse();
    assertThat(spark().table("rb_legacy.untouched").count()).isEqualTo(10);

    Map<String, DatasetResult> latest =
        ResultsTable.in(spark(), "rb_results").latestOfRun("run-inplace");
    assertThat(latest.values()).extracting(DatasetResult::status).containsOnly(Status.ROLLED_BACK);

    // After a rollback the datasets migrate again (not skipped).
    FleetReport again =
        run(
            settings,
            specs(
                "again.yaml",
                "id: copy\nsource: { table: rb_legacy.untouched }\ntarget: { table: rb_new.copy }\n"),
            "run-again");
    assertThat(result(again, "copy").status()).isEqualTo(Status.SUCCEEDED);
  }

  @Test
  void rollbackOfOneDatasetLeavesTheOthers() {
    spark().sql("CREATE DATABASE IF NOT EXISTS rb1_legacy");
    spark().range(5).write().format("parquet").saveAsTable("rb1_legacy.a");
    spark().range(6).write().format("parquet").saveAsTable("rb1_legacy.b");
    Settings settings = settings("rb1_results");
    run(
        settings,
        specs(
            "two.yaml",
            """
            datasets:
              - { id: a, source: { table: rb1_legacy.a }, target: { table: rb1_new.a } }
              - { id: b, source: { table: rb1_legacy.b }, target: { table: rb1_new.b } }
            """),
        "run-one");
    Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
        .run("run-one")
        .dataset("a")
        .execute();
    assertThat(spark().catalog().tableExists("rb1_new.a")).isFalse();
    assertThat(spark().table("rb1_new.b").count()).isEqualTo(6);
  }
}
