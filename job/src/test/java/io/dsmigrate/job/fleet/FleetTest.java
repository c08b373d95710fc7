package io.dsmigrate.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FleetTest extends JobTestBase {
  @BeforeAll
  static void legacyWarehouse() {
    spark().sql("CREATE DATABASE IF NOT EXISTS fleet_legacy");
    spark()
        .range(40)
        .selectExpr(
            "id",
            "CAST(id % 7 AS INT) AS cust_id",
            "CAST(id * 1.5 AS DOUBLE) AS amount",
            "CASE WHEN id % 4 = 0 THEN NULL ELSE concat('n', id) END AS note",
            "CASE WHEN id = 3 THEN 'abc' ELSE CAST(id AS STRING) END AS code")
        .write()
        .format("parquet")
        .saveAsTable("fleet_legacy.orders");
    spark()
        .sql(
            "CREATE TABLE fleet_legacy.events (id BIGINT, kind STRING) PARTITIONED BY (day DATE) STORED AS PARQUET");
    spark().conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    spark()
        .range(30)
        .selectExpr(
            "id",
            "concat('k', id % 3) AS kind",
            "date_add(DATE'2024-01-01', CAST(id % 2 AS INT)) AS day")
        .write()
        .insertInto("fleet_legacy.events");
    spark().range(1).coalesce(1).write().format("parquet").saveAsTable("fleet_legacy.one");
  }

  private List<DatasetSpec> mixedSpecs(String clicksPath) {
    return specs(
        "mixed.yaml",
        """
        datasets:
          - id: orders
            source: { table: fleet_legacy.orders }
            target: { table: fleet_new.orders }
            transform:
              rename: { cust_id: customer_id }
              cast: { amount: "decimal(18,2)" }
              drop: [ code ]
          - id: events
            source: { table: fleet_legacy.events }
            target: { table: fleet_new.events, partitionBy: [ kind ] }
          - id: orders_sql
            source: { table: fleet_legacy.orders }
            target: { table: fleet_new.orders_sql }
            transform:
              sql: "SELECT id, upper(note) AS note FROM source WHERE id > 10"
          - id: clicks
            source: { path: "%s" }
            target: { path: "%s" }
          - id: missing_source
            source: { table: fleet_legacy.nope }
            target: { table: fleet_new.nope }
          - id: missing_column
            source: { table: fleet_legacy.orders }
            target: { table: fleet_new.missing_column }
            transform:
              cast: { amout: "decimal(18,2)" }
          - id: sql_error
            source: { table: fleet_legacy.orders }
            target: { table: fleet_new.sql_error }
            transform:
              sql: "SELECT id, no_such_function(note) FROM source"
          - id: cast_fails
            source: { table: fleet_legacy.orders }
            target: { table: fleet_new.cast_fails }
            transform:
              cast: { code: int }
        """
            .formatted(clicksPath, path("clicks_delta")));
  }

  @Test
  void migratesValidatesAndRecordsEveryDatasetWhileFailuresStayIsolated() {
    spark()
        .range(25)
        .selectExpr("id", "concat('/p/', id) AS url")
        .repartition(2)
        .write()
        .parquet(path("clicks"));
    Settings settings = settings("fleet_results");
    FleetReport report = run(settings, mixedSpecs(path("clicks")), "run-mixed-1");

    assertThat(report.exitCode()).isEqualTo(1);
    for (String id : List.of("orders", "events", "orders_sql", "clicks")) {
      DatasetResult ok = result(report, id);
      assertThat(ok.status()).as(id + ": " + ok.errorMessage()).isEqualTo(Status.SUCCEEDED);
      assertThat(ok.contentMatch()).isTrue();
      assertThat(ok.schemaMatch()).isTrue();
      assertThat(ok.rowsMissing()).isZero();
      assertThat(ok.rowsExtra()).isZero();
      assertThat(ok.sourceRows()).isEqualTo(ok.targetRows());
      assertThat(ok.attempts()).isEqualTo(1);
    }
    assertThat(result(report, "orders").targetRows()).isEqualTo(40);
    assertThat(result(report, "orders_sql").targetRows()).isEqualTo(29);
    assertThat(spark().table("fleet_new.orders").columns())
        .containsExactly("id", "customer_id", "amount", "note");
    assertThat(spark().table("fleet_new.orders").schema().apply("amount").dataType().simpleString())
        .isEqualTo("decimal(18,2)");
    assertThat(spark().sql("DESCRIBE DETAIL fleet_new.events").first().<String>getAs("format"))
        .isEqualTo("delta");
    assertThat(
            spark()
                .sql("DESCRIBE DETAIL fleet_new.events")
                .first()
                .<scala.collection.Seq<String>>getAs("partitionColumns")
                .mkString(","))
        .isEqualTo("kind");
    assertThat(spark().read().format("delta").load(path("clicks_delta")).count()).isEqualTo(25);

    DatasetResult missingSource = result(report, "missing_source");
    assertThat(missingSource.status()).isEqualTo(Status.FAILED);
    assertThat(missingSource.errorClass()).isEqualTo("SOURCE_NOT_FOUND");
    assertThat(missingSource.errorMessage())
        .startsWith(
            "Cannot migrate missing_source: source table fleet_legacy.nope does not exist in the metastore")
        .contains("mixed.yaml:");

    DatasetResult missingColumn = result(report, "missing_column");
    assertThat(missingColumn.errorClass()).isEqualTo("COLUMN_NOT_FOUND");
    assertThat(missingColumn.errorMessage())
        .contains(
            "column 'amout' not found in source fleet_legacy.orders (columns: id, cust_id, amount, note, code)")
        .contains("Fix transform.cast.amout in")
        .contains("mixed.yaml:27");

    DatasetResult sqlError = result(report, "sql_error");
    assertThat(sqlError.errorClass()).isEqualTo("SQL_ERROR");
    assertThat(sqlError.errorMessage())
        .contains("no_such_function")
        .contains("Fix transform.sql in");

    DatasetResult castFails = result(report, "cast_fails");
    assertThat(castFails.errorClass()).isEqualTo("CAST_FAILED");
    assertThat(castFails.errorMessage()).contains("abc").endsWith("(changes undone)");
    assertThat(spark().catalog().tableExists("fleet_new.cast_fails"))
        .as("a failed dataset leaves no target")
        .isFalse();

    // Every dataset has exactly one row in the results table for the run.
    Dataset<Row> recorded =
        spark()
            .sql(
                "SELECT dataset_id, status FROM fleet_results.migration_results WHERE run_id = 'run-mixed-1'");
    assertThat(recorded.count()).isEqualTo(8);
    assertThat(recorded.where("status = 'SUCCEEDED'").count()).isEqualTo(4);

    // Run the same specs again: the succeeded ones are skipped and not rewritten.
    long ordersVersion = deltaVersion("fleet_new.orders");
    FleetReport again = run(settings, mixedSpecs(path("clicks")), "run-mixed-2");
    for (String id : List.of("orders", "events", "orders_sql", "clicks")) {
      assertThat(result(again, id).status()).isEqualTo(Status.SKIPPED);
    }
    assertThat(result(again, "missing_column").status()).isEqualTo(Status.FAILED);
    assertThat(deltaVersion("fleet_new.orders")).isEqualTo(ordersVersion);

    // A third run still skips (a SKIPPED row is not the last outcome that counts).
    assertThat(result(run(settings, mixedSpecs(path("clicks")), "run-mixed-3"), "orders").status())
        .isEqualTo(Status.SKIPPED);
  }

  @Test
  void aChangedSpecMigratesAgainOverItsOwnEarlierTarget() {
    Settings settings = settings("fleet_results_changed");
    String first =
        """
        id: changing
        source: { table: fleet_legacy.orders }
        target: { table: fleet_changed.orders }
        """;
    FleetReport one = run(settings, specs("one.yaml", first), "run-change-1");
    assertThat(result(one, "changing").status()).isEqualTo(Status.SUCCEEDED);
    FleetReport two =
        run(settings, specs("two.yaml", first + "transform: { drop: [ note ] }\n"), "run-change-2");
    DatasetResult changed = result(two, "changing");
    assertThat(changed.status()).as(changed.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(changed.targetPreviousVersion()).isNotNull();
    assertThat(spark().table("fleet_changed.orders").columns()).doesNotContain("note");
  }

  @Test
  void aTargetThatIsNotOursIsNeverOverwritten() {
    spark().sql("CREATE DATABASE IF NOT EXISTS fleet_taken");
    spark().range(3).write().format("delta").saveAsTable("fleet_taken.orders");
    FleetReport report =
        run(
            settings("fleet_results_taken"),
            specs(
                "taken.yaml",
                "id: taken\nsource: { table: fleet_legacy.orders }\ntarget: { table: fleet_taken.orders }\n"),
            "run-taken");
    DatasetResult taken = result(report, "taken");
    assertThat(taken.errorClass()).isEqualTo("TARGET_EXISTS");
    assertThat(taken.errorMessage())
        .contains("already exists")
        .contains("dsmigrate cannot prove it wrote it for this dataset")
        .contains("was created by another writer: version 0 (CREATE TABLE AS SELECT at");
    assertThat(spark().table("fleet_taken.orders").count()).isEqualTo(3);
  }

  @Test
  void dryRunWritesNothing() {
    Settings settings = settings("fleet_results_dry");
    FleetReport report =
        run(
            settings,
            specs(
                "dry.yaml",
                "id: dry\nsource: { table: fleet_legacy.orders }\ntarget: { table: fleet_dry.orders }\n"),
            "run-dry",
            true);
    assertThat(result(report, "dry").status()).isEqualTo(Status.DRY_RUN);
    assertThat(spark().catalog().tableExists("fleet_dry.orders")).isFalse();
    assertThat(spark().table("fleet_results_dry.migration_results").count()).isZero();
  }

  @Test
  void aDatasetOverItsTimeoutIsCancelledAndTheOthersFinish() {
    // The quick dataset runs under the same timeout and must finish within it, also when two
    // test JVMs share the machine's cores: the slow one is held until the timeout whatever it is.
    Settings settings = settings("fleet_results_timeout", "dsmigrate.fleet.dataset-timeout", "30s");
    GateFunction.register(spark(), "fleet_legacy");
    Gate.close("fleet-timeout");
    FleetReport report;
    try {
      report =
          run(
              settings,
              specs(
                  "slow.yaml",
                  """
                datasets:
                  - id: slow
                    source: { table: fleet_legacy.one }
                    target: { table: fleet_slow.orders }
                    transform:
                      sql: "SELECT * FROM source WHERE fleet_legacy.gate_pass('fleet-timeout') = 'fleet-timeout'"
                  - id: quick
                    source: { table: fleet_legacy.events }
                    target: { table: fleet_slow.events }
                """),
              "run-timeout");
    } finally {
      Gate.open("fleet-timeout");
    }
    DatasetResult slow = result(report, "slow");
    assertThat(slow.status()).isEqualTo(Status.FAILED);
    assertThat(slow.errorClass()).isEqualTo("TIMEOUT");
    assertThat(slow.errorMessage()).contains("timeout of PT30S");
    assertThat(spark().catalog().tableExists("fleet_slow.orders")).isFalse();
    DatasetResult quick = result(report, "quick");
    assertThat(quick.status()).as(quick.errorMessage()).isEqualTo(Status.SUCCEEDED);
  }

  @Test
  void anIoErrorThatPassesIsRetriedAndOneThatDoesNotIsRecordedWithItsAttempts() {
    spark()
        .sparkContext()
        .hadoopConfiguration()
        .set("fs.flaky.impl", FlakyFileSystem.class.getName());
    spark().sparkContext().hadoopConfiguration().set("fs.flaky.impl.disable.cache", "true");
    spark().range(7).write().parquet(path("flaky_source"));
    String source = "flaky://" + path("flaky_source");
    Settings settings = settings("fleet_results_retry", "dsmigrate.fleet.retries", "2");
    List<DatasetSpec> specs =
        specs(
            "flaky.yaml",
            "id: flaky\nsource: { path: \"%s\", format: parquet }\ntarget: { path: \"%s\" }\n"
                .formatted(source, path("flaky_target")));
    io.dsmigrate.job.plan.Plan plan = io.dsmigrate.job.plan.Planner.of(spark()).plan(specs);

    FlakyFileSystem.FAILURES_LEFT.set(1);
    FleetReport passes = Fleet.of(spark(), settings).runId("run-retry-1").execute(plan.datasets());
    DatasetResult recovered = result(passes, "flaky");
    assertThat(recovered.status()).as(recovered.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(recovered.attempts()).isEqualTo(2);
    assertThat(spark().read().format("delta").load(path("flaky_target")).count()).isEqualTo(7);

    FlakyFileSystem.FAILURES_LEFT.set(1_000);
    FleetReport fails =
        Fleet.of(spark(), settings("fleet_results_retry_2", "dsmigrate.fleet.retries", "2"))
            .runId("run-retry-2")
            .execute(plan.datasets());
    FlakyFileSystem.FAILURES_LEFT.set(0);
    DatasetResult gaveUp = result(fails, "flaky");
    assertThat(gaveUp.status()).isEqualTo(Status.FAILED);
    assertThat(gaveUp.errorClass()).isEqualTo("IO_ERROR");
    assertThat(gaveUp.attempts()).isEqualTo(3);
    assertThat(gaveUp.errorMessage()).contains("injected: storage briefly unavailable");
  }
}
