package io.dsmigrate.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Hive tables that dsmigrate cannot read as Hive holds them (transactional tables, bucketed Hive
 * tables, views) are refused when the plan is made, with the table, the reason and what to do, and
 * again when a run reaches them; nothing of them changes.
 */
class UnfaithfulSourcesTest extends JobTestBase {
  @Test
  void transactionalBucketedAndViewSourcesAreRefusedAtPlanTimeAndAtRunTime() {
    spark().sql("CREATE DATABASE IF NOT EXISTS uf_legacy");
    spark()
        .sql(
            "CREATE TABLE uf_legacy.acid (id INT, v STRING) CLUSTERED BY (id) INTO 2 BUCKETS"
                + " STORED AS ORC TBLPROPERTIES ('transactional' = 'true')");
    spark()
        .sql(
            "CREATE TABLE uf_legacy.bucketed (id INT, v STRING) CLUSTERED BY (id) INTO 4 BUCKETS"
                + " STORED AS PARQUET");
    spark().sql("CREATE TABLE uf_legacy.plain (id INT, v STRING) STORED AS PARQUET");
    spark().sql("INSERT INTO uf_legacy.plain VALUES (1, 'a'), (2, 'b')");
    spark().sql("CREATE VIEW uf_legacy.recent AS SELECT * FROM uf_legacy.plain WHERE id > 1");
    List<DatasetSpec> specs =
        specs(
            "unfaithful.yaml",
            """
            datasets:
              - { id: acid, source: { table: uf_legacy.acid }, target: { table: uf_new.acid } }
              - { id: bucketed, source: { table: uf_legacy.bucketed }, target: { table: uf_new.bucketed } }
              - { id: recent, source: { table: uf_legacy.recent }, target: { table: uf_new.recent } }
              - { id: plain, source: { table: uf_legacy.plain }, target: { table: uf_new.plain } }
            """);

    Map<String, String> planned = new TreeMap<>();
    for (PlannedDataset dataset : Planner.of(spark()).plan(specs).datasets()) {
      planned.put(dataset.spec().id(), String.valueOf(dataset.sourceError()));
    }
    assertThat(planned.get("plain")).isEqualTo("null");
    assertThat(planned.get("acid"))
        .startsWith(
            "Cannot migrate acid: source uf_legacy.acid is a transactional (ACID) Hive table")
        .contains("deleted or updated rows would come back")
        .contains("Copy it to a table that is not transactional")
        .contains("unfaithful.yaml:2");
    assertThat(planned.get("bucketed"))
        .startsWith("Cannot migrate bucketed: source uf_legacy.bucketed is a bucketed Hive table")
        .contains("4 buckets")
        .contains("Copy it without buckets")
        .contains("unfaithful.yaml:3");
    assertThat(planned.get("recent"))
        .startsWith("Cannot migrate recent: source uf_legacy.recent is a view, not a table")
        .contains("Migrate the tables it reads");

    TableState plain = state("uf_legacy.plain");
    var report = run(settings("uf_results"), specs, "run-unfaithful");
    for (String id : List.of("acid", "bucketed", "recent")) {
      DatasetResult result = result(report, id);
      assertThat(result.status()).as(id).isEqualTo(Status.FAILED);
      assertThat(result.errorClass()).as(id).isEqualTo(ErrorClass.UNSUPPORTED.name());
      assertThat(result.errorMessage()).isEqualTo(planned.get(id));
      assertThat(spark().catalog().tableExists("uf_new." + id)).as(id).isFalse();
    }
    assertThat(result(report, "plain").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(state("uf_legacy.plain")).isEqualTo(plain);
    assertThat(spark().catalog().tableExists("uf_legacy.acid")).isTrue();
    assertThat(spark().catalog().tableExists("uf_legacy.bucketed")).isTrue();
  }
}
