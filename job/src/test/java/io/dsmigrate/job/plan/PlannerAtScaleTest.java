package io.dsmigrate.job.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Planning many specs that read few sources: each distinct source is resolved once (one schema
 * inference for a Parquet directory that 50 specs read), the metastore is read per database, and
 * the plan is the one that resolving spec by spec gives: same sources, same errors naming each
 * dataset, same target locations.
 */
class PlannerAtScaleTest extends JobTestBase {
  private static final int SHARED = 50;

  @Test
  void fiftySpecsOnOneParquetDirectoryInferItsSchemaOnceAndPlanAsSpecBySpec() {
    spark().sql("CREATE DATABASE IF NOT EXISTS pas_legacy");
    spark().sql("CREATE DATABASE IF NOT EXISTS pas_new");
    spark().range(20).selectExpr("id", "id * 2 AS v").write().parquet(path("shared"));
    spark().range(5).write().format("parquet").saveAsTable("pas_legacy.orders");
    spark().range(5).write().format("delta").saveAsTable("pas_legacy.events");
    spark().sql("CREATE VIEW pas_legacy.recent AS SELECT * FROM pas_legacy.orders WHERE id > 1");
    spark().range(3).write().format("delta").saveAsTable("pas_new.existing");
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (int i = 0; i < SHARED; i++) {
      yaml.append(
          "  - { id: s%02d, source: { path: '%s' }, target: { table: pas_new.s%02d } }\n"
              .formatted(i, path("shared"), i));
    }
    yaml.append(
        """
          - { id: orders, source: { table: pas_legacy.orders }, target: { table: pas_out.orders } }
          - { id: orders_again, source: { table: PAS_LEGACY.Orders }, target: { path: '%s' } }
          - id: events
            source: { table: pas_legacy.events }
            target: { table: pas_new.events }
            transform: { sql: "SELECT id FROM source" }
          - { id: recent, source: { table: pas_legacy.recent }, target: { table: pas_new.recent } }
          - { id: gone_a, source: { table: pas_legacy.gone }, target: { table: pas_new.gone_a } }
          - { id: gone_b, source: { table: pas_legacy.gone }, target: { table: pas_new.gone_b } }
          - { id: no_dir, source: { path: '%s' }, target: { table: pas_new.no_dir } }
        """
            .formatted(path("out/orders"), path("missing")));
    List<DatasetSpec> specs = specs("many.yaml", yaml.toString());

    Planner planner = Planner.of(spark());
    Plan plan = planner.plan(specs);
    int jobs = jobsOf(planner);

    // Sources: the shared directory, orders, events, the view once each; the missing table and
    // the missing directory once for each spec that names them (each error names its spec).
    assertThat(planner.resolutions()).isEqualTo(4 + 3);
    Planner one = Planner.of(spark());
    one.plan(List.of(specs.get(0)));
    assertThat(jobs)
        .as("Spark jobs of 50 specs on one directory, and of one")
        .isEqualTo(jobsOf(one));

    Map<String, PlannedDataset> planned =
        plan.datasets().stream().collect(Collectors.toMap(d -> d.spec().id(), Function.identity()));
    assertThat(planned).hasSize(specs.size());
    TableLookup live = TableLookup.live(spark());
    for (DatasetSpec spec : specs) {
      PlannedDataset dataset = planned.get(spec.id());
      try {
        assertThat(dataset.source()).as(spec.id()).isEqualTo(SourceResolver.resolve(spark(), spec));
        assertThat(dataset.sourceError()).as(spec.id()).isNull();
      } catch (MigrationException e) {
        assertThat(dataset.source()).as(spec.id()).isNull();
        assertThat(dataset.sourceError()).as(spec.id()).isEqualTo(e.getMessage());
      }
      String expected = TableLocations.target(spark(), live, spec.target());
      assertThat(
              TableLocations.target(
                  spark(),
                  TableLookup.prefetched(spark(), List.of(String.valueOf(spec.target().table()))),
                  spec.target()))
          .as(spec.id())
          .isEqualTo(expected);
    }
    assertThat(planned.get("gone_a").sourceError())
        .startsWith("Cannot migrate gone_a: source table pas_legacy.gone does not exist")
        .contains("many.yaml:");
    assertThat(planned.get("gone_b").sourceError())
        .startsWith("Cannot migrate gone_b: source table pas_legacy.gone does not exist");
    assertThat(planned.get("no_dir").sourceError())
        .startsWith("Cannot migrate no_dir: source path ");
    assertThat(planned.get("recent").sourceError())
        .startsWith("Cannot migrate recent: source pas_legacy.recent is a view");
    assertThat(planned.get("orders_again").source()).isEqualTo(planned.get("orders").source());

    assertThat(planned.get("s07").path()).isEqualTo(ExecutionPath.AGENT);
    assertThat(planned.get("orders").path()).isEqualTo(ExecutionPath.AGENT);
    assertThat(planned.get("events").path()).isEqualTo(ExecutionPath.SPARK);
    assertThat(planned.get("events").pathReason()).isEqualTo("source format not parquet: delta");
    assertThat(planned.get("gone_a").pathReason()).isEqualTo("source not resolved");
    assertThat(
            Planner.of(spark()).agentLimits(AgentLimits.DISABLED).plan(specs).datasets().stream()
                .map(PlannedDataset::path)
                .distinct())
        .containsExactly(ExecutionPath.SPARK);
  }

  @Test
  void bulkLookUpsGiveTheLocationsThatLiveLookUpsGive() {
    spark().sql("CREATE DATABASE IF NOT EXISTS pas_lookup");
    spark().range(2).write().format("parquet").saveAsTable("pas_lookup.present");
    List<String> names =
        List.of(
            "pas_lookup.present", "pas_lookup.absent", "pas_nodb.absent", "`PAS_LOOKUP`.Present");
    TableLookup bulk = TableLookup.prefetched(spark(), names);
    for (String name : names) {
      assertThat(TableLocations.of(spark(), bulk, name))
          .as(name)
          .isEqualTo(TableLocations.of(spark(), name));
    }
    assertThat(TableLocations.of(spark(), bulk, "pas_lookup.absent"))
        .endsWith("/pas_lookup.db/absent");
  }

  @Test
  void aPartitionedParquetDirectoryIsPlannedWithItsPartitionColumnsOnTheSparkPath() {
    spark()
        .range(6)
        .selectExpr("id", "CAST(id % 2 AS INT) AS part")
        .write()
        .partitionBy("part")
        .parquet(path("by_part"));
    List<DatasetSpec> specs =
        specs(
            "partitioned.yaml",
            "id: by_part\nsource: { path: '%s' }\ntarget: { table: pas_new.by_part }\n"
                .formatted(path("by_part")));
    PlannedDataset dataset = Planner.of(spark()).plan(specs).datasets().get(0);
    assertThat(dataset.source().partitionColumns()).containsExactly("part");
    assertThat(dataset.source().schemaDdl()).contains("part INT");
    assertThat(dataset.path()).isEqualTo(ExecutionPath.SPARK);
    assertThat(dataset.pathReason()).isEqualTo("source partitioned: part");
  }

  @Test
  void nestedTargetsFoundThroughTheMetastoreStillStopThePlan() {
    spark().sql("CREATE DATABASE IF NOT EXISTS pas_nest");
    spark().range(2).write().format("parquet").saveAsTable("pas_nest.outer_t");
    String inside = TableLocations.of(spark(), "pas_nest.outer_t") + "/inner";
    List<DatasetSpec> specs =
        specs(
            "nest.yaml",
            """
            datasets:
              - { id: outer, source: { path: '%s' }, target: { table: pas_nest.outer_t } }
              - { id: inner, source: { path: '%s' }, target: { path: '%s' } }
            """
                .formatted(path("a"), path("b"), inside));
    assertThatThrownBy(() -> Planner.of(spark()).plan(specs))
        .hasMessageContaining("inner")
        .hasMessageContaining("is inside the target of outer");
  }

  private static int jobsOf(Planner planner) {
    try {
      spark().sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
    return spark().sparkContext().statusTracker().getJobIdsForGroup(planner.jobGroup()).length;
  }
}
