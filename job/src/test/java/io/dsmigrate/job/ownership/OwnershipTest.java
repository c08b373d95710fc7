package io.dsmigrate.job.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * dsmigrate overwrites only what it can prove it wrote for the dataset: a target whose Delta
 * history carries a commit tag that the dataset's ledger recorded. Anything else (a table someone
 * else owns, another dataset's output, data written into dsmigrate's own target by others) fails
 * the dataset with TARGET_EXISTS on every run, and stays byte for byte as it was.
 */
class OwnershipTest extends JobTestBase {
  @Test
  void aForeignDeltaTableIsRefusedOnTheRunItsRetryWithTheSameRunIdAndANewRun() {
    spark().sql("CREATE DATABASE IF NOT EXISTS own_sales");
    spark()
        .range(1000)
        .selectExpr("id AS order_id", "id * 2 AS amount")
        .write()
        .format("delta")
        .saveAsTable("own_sales.orders");
    spark().range(5).selectExpr("id AS order_id", "id AS amount").write().parquet(path("src1"));
    String location = localPath(tableLocation("own_sales.orders"));
    Map<String, String> before = fileDigests(location);
    long version = deltaVersion("own_sales.orders");

    Settings settings = settings("own_results1");
    List<DatasetSpec> specs =
        specs(
            "foreign.yaml",
            "id: orders\nsource: { path: \"%s\" }\ntarget: { table: own_sales.orders }\n"
                .formatted(path("src1")));
    for (String runId : List.of("run-1", "run-1", "run-2")) {
      DatasetResult result = result(run(settings, specs, runId), "orders");
      assertThat(result.status()).as(runId).isEqualTo(Status.FAILED);
      assertThat(result.errorClass()).as(runId).isEqualTo(ErrorClass.TARGET_EXISTS.name());
      assertThat(result.errorMessage())
          .contains("dsmigrate cannot prove it wrote it for this dataset")
          .contains("was created by another writer: version 0 (CREATE TABLE AS SELECT at")
          .contains("Nothing was changed");
      assertThat(fileDigests(location))
          .as("the foreign table's files, byte for byte")
          .isEqualTo(before);
      assertThat(deltaVersion("own_sales.orders")).isEqualTo(version);
      assertThat(spark().table("own_sales.orders").count()).isEqualTo(1000);
    }
  }

  @Test
  void foreignDataAtATargetPathIsRefusedWhateverItsFormat() {
    spark().range(7).write().format("delta").save(path("foreign_delta"));
    spark().range(9).write().parquet(path("foreign_parquet"));
    spark().range(3).write().parquet(path("src2"));
    Map<String, String> delta = fileDigests(path("foreign_delta"));
    Map<String, String> parquet = fileDigests(path("foreign_parquet"));
    Settings settings = settings("own_results2");
    List<DatasetSpec> specs =
        specs(
            "paths.yaml",
            """
            datasets:
              - id: to_delta
                source: { path: "%s" }
                target: { path: "%s" }
              - id: to_parquet
                source: { path: "%s" }
                target: { path: "%s", format: parquet }
            """
                .formatted(
                    path("src2"), path("foreign_delta"), path("src2"), path("foreign_parquet")));
    for (String runId : List.of("p-1", "p-1", "p-2")) {
      FleetReport report = run(settings, specs, runId);
      for (String id : List.of("to_delta", "to_parquet")) {
        assertThat(result(report, id).errorClass())
            .as(runId + " " + id)
            .isEqualTo(ErrorClass.TARGET_EXISTS.name());
      }
      assertThat(fileDigests(path("foreign_delta"))).isEqualTo(delta);
      assertThat(fileDigests(path("foreign_parquet"))).isEqualTo(parquet);
    }
  }

  @Test
  void anotherDatasetsTargetIsNotThisDatasetsToOverwrite() {
    spark().range(4).write().parquet(path("src3"));
    Settings settings = settings("own_results3");
    FleetReport first =
        run(
            settings,
            specs(
                "a.yaml",
                "id: first\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n"
                    .formatted(path("src3"), path("shared"))),
            "a-1");
    assertThat(result(first, "first").status()).isEqualTo(Status.SUCCEEDED);
    Map<String, String> written = fileDigests(path("shared"));

    FleetReport second =
        run(
            settings,
            specs(
                "b.yaml",
                "id: second\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n"
                    .formatted(path("src3"), path("shared"))),
            "b-1");
    DatasetResult refused = result(second, "second");
    assertThat(refused.errorClass()).isEqualTo(ErrorClass.TARGET_EXISTS.name());
    assertThat(refused.errorMessage())
        // The agent path's Delta Kernel commits are CREATE TABLE, the Spark path's WRITE.
        .containsPattern("was created by another writer: version 0 \\((WRITE|CREATE TABLE) at")
        .contains("another dataset or workdir of dsmigrate: 'dsmigrate a-1 first ")
        .doesNotContain("not dsmigrate");
    assertThat(fileDigests(path("shared"))).isEqualTo(written);
  }

  @Test
  void itsOwnTargetIsOverwrittenOnAChangedSpecButNotOverCommitsOfOthers() {
    spark().range(6).selectExpr("id", "id * 10 AS v").write().parquet(path("src4"));
    Settings settings = settings("own_results4");
    String spec = "id: own\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n";
    FleetReport first =
        run(settings, specs("own.yaml", spec.formatted(path("src4"), path("own"))), "o-1");
    assertThat(result(first, "own").status()).isEqualTo(Status.SUCCEEDED);

    List<DatasetSpec> changed =
        specs(
            "own.yaml",
            spec.formatted(path("src4"), path("own")) + "transform: { add: { w: \"v + 1\" } }\n");
    FleetReport second = run(settings, changed, "o-2");
    DatasetResult overwritten = result(second, "own");
    assertThat(overwritten.status()).as(overwritten.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(overwritten.targetPreviousVersion()).isEqualTo(0L);
    assertThat(spark().read().format("delta").load(path("own")).columns()).contains("w");

    // A consumer writes into the target: the next changed spec may not overwrite their rows.
    spark()
        .range(100, 102)
        .selectExpr("id", "id * 10 AS v", "id AS w")
        .write()
        .format("delta")
        .mode("append")
        .save(path("own"));
    Map<String, String> withTheirRows = fileDigests(path("own"));
    List<DatasetSpec> changedAgain =
        specs(
            "own.yaml",
            spec.formatted(path("src4"), path("own")) + "transform: { add: { w: \"v + 2\" } }\n");
    DatasetResult refused = result(run(settings, changedAgain, "o-3"), "own");
    assertThat(refused.errorClass()).isEqualTo(ErrorClass.TARGET_EXISTS.name());
    assertThat(refused.errorMessage())
        .contains("it has commits since that dsmigrate did not make: version 2 (WRITE at")
        .contains("not dsmigrate)");
    assertThat(fileDigests(path("own"))).isEqualTo(withTheirRows);
    assertThat(spark().read().format("delta").load(path("own")).count()).isEqualTo(8);
  }

  @Test
  void aRelativeTargetPathIsNeverTakenForTheTableOfThatName() {
    // A plan edited by hand may carry what the spec loader refuses; the job refuses it too.
    spark().sql("CREATE DATABASE IF NOT EXISTS own_default");
    spark().range(11).write().format("parquet").saveAsTable("own_default.orders");
    spark().range(2).write().parquet(path("src5"));
    TableState before = state("own_default.orders");
    DatasetSpec relative =
        new DatasetSpec(
            "orders",
            new SourceSpec(null, path("src5"), "parquet"),
            new TargetSpec(null, "orders", null, null),
            null,
            null,
            null,
            false,
            null);
    Plan plan = Planner.of(spark()).plan(List.of(relative));
    spark().catalog().setCurrentDatabase("own_default");
    try {
      FleetReport report =
          Fleet.of(spark(), settings("own_results5"))
              .runId("rel-1")
              .plan(plan.planId(), 0)
              .execute(plan.datasets());
      DatasetResult refused = result(report, "orders");
      assertThat(refused.status()).isEqualTo(Status.FAILED);
      assertThat(refused.errorClass()).isEqualTo(ErrorClass.NOT_ALLOWED.name());
      assertThat(refused.errorMessage()).contains("target.path 'orders' is relative");
    } finally {
      spark().catalog().setCurrentDatabase("default");
    }
    assertThat(state("own_default.orders")).isEqualTo(before);
    assertThat(Path.of("orders")).doesNotExist();
  }

  private static String tableLocation(String table) {
    return spark().sql("DESCRIBE DETAIL " + table).first().<String>getAs("location");
  }

  private static String localPath(String uri) {
    return Path.of(URI.create(uri)).toString();
  }
}
