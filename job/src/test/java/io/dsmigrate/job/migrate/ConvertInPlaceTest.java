package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.plan.PartitionLayout;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Rollback;
import io.dsmigrate.job.snapshot.Conversions;
import java.io.File;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.junit.jupiter.api.Test;

/**
 * An in-place Parquet → Delta migration without a transform converts the source where it stands
 * (CONVERT TO DELTA): no data file is written, and a rollback removes the Delta log and gives the
 * table its old definition back, leaving every file as it was.
 */
class ConvertInPlaceTest extends JobTestBase {
  @Test
  void parquetDirectoryAndTablesConvertWithoutRewritingAFileAndRollBackExactly() {
    spark().sql("CREATE DATABASE IF NOT EXISTS cip_legacy");
    spark().conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    spark()
        .range(24)
        .selectExpr("id", "concat('u', id) AS url", "CAST(id % 3 AS INT) AS part")
        .repartition(2)
        .write()
        .partitionBy("part")
        .parquet(path("clicks"));
    spark()
        .sql(
            "CREATE TABLE cip_legacy.events (id BIGINT, v STRING) PARTITIONED BY (day DATE)"
                + " STORED AS PARQUET");
    spark()
        .range(20)
        .selectExpr(
            "id",
            "CASE WHEN id % 3 = 0 THEN NULL ELSE 'x' END AS v",
            "date_add(DATE'2024-05-01', CAST(id % 4 AS INT)) AS day")
        .write()
        .insertInto("cip_legacy.events");
    spark()
        .range(15)
        .selectExpr("id", "CAST(id / 4 AS DECIMAL(9,2)) AS price")
        .write()
        .format("parquet")
        .saveAsTable("cip_legacy.prices");

    Map<String, String> clicksFiles = fileDigests(path("clicks"));
    List<String> clicksRows = sortedRows(spark().read().parquet(path("clicks")));
    Map<String, Object> events = definition("cip_legacy.events");
    Map<String, Object> prices = definition("cip_legacy.prices");
    TableState eventsState = state("cip_legacy.events");
    TableState pricesState = state("cip_legacy.prices");
    Map<String, String> eventsFiles = fileDigests(location("cip_legacy.events"));
    Map<String, String> pricesFiles = fileDigests(location("cip_legacy.prices"));

    Settings settings = settings("cip_results");
    FleetReport report =
        run(
            settings,
            specs(
                "convert.yaml",
                """
                datasets:
                  - id: clicks
                    source: { path: "%s", format: parquet }
                    target: { path: "%s", partitionBy: [ part ] }
                  - id: events
                    source: { table: cip_legacy.events }
                    target: { table: cip_legacy.events, partitionBy: [ day ] }
                  - id: prices
                    source: { table: cip_legacy.prices }
                    target: { table: cip_legacy.prices }
                """
                    .formatted(path("clicks"), path("clicks"))),
            "cip-run");
    for (DatasetResult result : report.results()) {
      assertThat(result.status())
          .as(result.datasetId() + ": " + result.errorMessage())
          .isEqualTo(Status.SUCCEEDED);
      assertThat(result.inPlace()).isTrue();
      assertThat(result.snapshot()).startsWith("convert:");
      assertThat(result.contentMatch()).isTrue();
    }
    assertThat(result(report, "clicks").targetRows()).isEqualTo(24);

    // Delta now, with the same rows, over the very same data files: only the log is new.
    assertThat(sortedRows(spark().read().format("delta").load(path("clicks"))))
        .isEqualTo(clicksRows);
    assertThat(withoutLog(fileDigests(path("clicks")))).isEqualTo(clicksFiles);
    assertThat(state("cip_legacy.events").provider()).isEqualTo("delta");
    assertThat(sortedRows(spark().table("cip_legacy.events"))).isEqualTo(eventsState.rows());
    assertThat(withoutLog(fileDigests(location("cip_legacy.events")))).isEqualTo(eventsFiles);
    assertThat(state("cip_legacy.prices").provider()).isEqualTo("delta");
    assertThat(withoutLog(fileDigests(location("cip_legacy.prices")))).isEqualTo(pricesFiles);
    // The conversion is the Delta table's first commit, tagged as this run's.
    Row first =
        spark()
            .sql("DESCRIBE HISTORY delta.`" + path("clicks") + "`")
            .where("version = 0")
            .select("operation", "userMetadata")
            .first();
    assertThat(first.getString(0)).isEqualTo("CONVERT");
    assertThat(first.getString(1)).startsWith("dsmigrate cip-run clicks ");

    List<Rollback.Outcome> outcomes =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("cip-run")
            .execute();
    assertThat(outcomes)
        .allSatisfy(
            o -> assertThat(o.rolledBack()).as(o.datasetId() + ": " + o.message()).isTrue());

    // The exact files (no Delta log) and the exact table definitions are back.
    assertThat(fileDigests(path("clicks"))).isEqualTo(clicksFiles);
    assertThat(sortedRows(spark().read().parquet(path("clicks")))).isEqualTo(clicksRows);
    assertThat(fileDigests(location("cip_legacy.events"))).isEqualTo(eventsFiles);
    assertThat(fileDigests(location("cip_legacy.prices"))).isEqualTo(pricesFiles);
    assertThat(definition("cip_legacy.events")).isEqualTo(events);
    assertThat(definition("cip_legacy.prices")).isEqualTo(prices);
    assertThat(state("cip_legacy.events")).isEqualTo(eventsState);
    assertThat(state("cip_legacy.prices")).isEqualTo(pricesState);
  }

  @Test
  void rollbackIsRefusedWhenSomeoneElseCommittedToTheConvertedTable() throws Exception {
    spark().range(10).selectExpr("id", "id * 2 AS twice").write().parquet(path("orders"));
    Map<String, String> before = fileDigests(path("orders"));
    Settings settings = settings("cipf_results");
    FleetReport report =
        run(
            settings,
            specs(
                "orders.yaml",
                "id: orders\nsource: { path: \"%s\", format: parquet }\ntarget: { path: \"%s\" }\n"
                    .formatted(path("orders"), path("orders"))),
            "cipf-run");
    assertThat(result(report, "orders").status())
        .as(result(report, "orders").errorMessage())
        .isEqualTo(Status.SUCCEEDED);
    assertThat(result(report, "orders").snapshot()).startsWith("convert:");

    // A consumer appends to the Delta table (no dsmigrate tag on its commit).
    spark()
        .newSession()
        .range(100, 103)
        .selectExpr("id", "id * 2 AS twice")
        .write()
        .format("delta")
        .mode("append")
        .save(path("orders"));
    Map<String, String> afterAppend = fileDigests(path("orders"));

    Rollback.Outcome refused =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("cipf-run")
            .execute()
            .get(0);
    assertThat(refused.rolledBack()).isFalse();
    // Version 0 is the conversion, version 1 the table's comment and properties, both tagged.
    assertThat(refused.message()).contains("rollback refused", "version 2", "not dsmigrate");
    assertThat(fileDigests(path("orders"))).isEqualTo(afterAppend);
    assertThat(spark().read().format("delta").load(path("orders")).count()).isEqualTo(13);
    Ledger ledger =
        Ledger.open(temp.resolve("work/ledger").toString(), "cipf_results", new Configuration());
    assertThat(ledger.head("orders").state()).isEqualTo(LedgerState.SUCCEEDED);

    // --force discards the consumer's append: the Parquet directory is as it was.
    Rollback.Outcome forced =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("cipf-run")
            .force(true)
            .execute()
            .get(0);
    assertThat(forced.rolledBack()).as(forced.message()).isTrue();
    assertThat(fileDigests(path("orders"))).isEqualTo(before);
  }

  @Test
  void aConversionThatFailsValidationIsUndoneInTheRun() {
    spark().sql("CREATE DATABASE IF NOT EXISTS cipu_legacy");
    spark()
        .range(12)
        .selectExpr("id", "concat('s', id) AS sku")
        .write()
        .format("parquet")
        .saveAsTable("cipu_legacy.stock");
    Map<String, Object> definition = definition("cipu_legacy.stock");
    Map<String, String> files = fileDigests(location("cipu_legacy.stock"));
    FleetReport report =
        run(
            settings("cipu_results"),
            specs(
                "stock.yaml",
                """
                id: stock
                source: { table: cipu_legacy.stock }
                target: { table: cipu_legacy.stock }
                validation:
                  queries: [ "SELECT uuid() AS differs_every_time FROM dataset LIMIT 1" ]
                """),
            "cipu-run");
    DatasetResult stock = result(report, "stock");
    assertThat(stock.status()).isEqualTo(Status.FAILED);
    assertThat(stock.errorClass()).isEqualTo("QUERY_MISMATCH");
    assertThat(stock.errorMessage()).endsWith("(changes undone)");
    assertThat(fileDigests(location("cipu_legacy.stock"))).isEqualTo(files);
    assertThat(definition("cipu_legacy.stock")).isEqualTo(definition);
    assertThat(spark().table("cipu_legacy.stock").count()).isEqualTo(12);
  }

  /** The table's definition and partitions, as a conversion records and an undo restores them. */
  private static Map<String, Object> definition(String table) {
    CatalogTable catalogTable = SourceResolver.catalogTable(spark(), table);
    return Conversions.describe(
        catalogTable, PartitionLayout.listPartitions(spark(), catalogTable));
  }

  private static String location(String table) {
    return new File(URI.create(SourceResolver.catalogTable(spark(), table).location().toString()))
        .getPath();
  }

  private static Map<String, String> withoutLog(Map<String, String> digests) {
    Map<String, String> data = new TreeMap<>(digests);
    data.keySet().removeIf(file -> file.startsWith("_delta_log"));
    return data;
  }
}
