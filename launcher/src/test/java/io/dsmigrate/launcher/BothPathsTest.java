package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.ExecutionPath;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.rollback.Rollback;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.launcher.demo.DemoWarehouse;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * Every shape of the demo migrated on the Spark path alone, rolled back, then migrated again with
 * the agent path on: the targets (rows, schema, partitioning, Delta protocol and properties, the
 * metastore's entry) and the results rows are the same, field by field, whichever path a dataset
 * took.
 */
class BothPathsTest extends SparkTestBase {

  @Test
  void everyDemoShapeGivesTheSameTargetAndResultsRowOnBothPaths() throws Exception {
    // Numbers of its own: other tests of this JVM build the demo's first datasets in its metastore.
    Path specsDir = new DemoWarehouse(spark(), temp.resolve("demo")).create(800, 8);
    List<DatasetSpec> specs;
    try (Stream<Path> files = Files.list(specsDir)) {
      specs =
          SpecLoader.load(files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList())
              .orThrow();
    }
    Settings sparkOnly = settings("false");
    Plan sparkPlan = Planner.of(spark()).agentLimits(sparkOnly.agent()).plan(specs);
    assertThat(sparkPlan.datasets()).allMatch(d -> d.path() == ExecutionPath.SPARK);
    FleetReport bySpark =
        Fleet.of(spark(), sparkOnly)
            .runId("both-spark")
            .plan(sparkPlan.planId(), 0)
            .execute(sparkPlan.datasets());
    assertThat(bySpark.byAgents()).isZero();
    Map<String, Map<String, Object>> sparkTargets = targets(bySpark);

    List<Rollback.Outcome> undone =
        Rollback.of(spark(), sparkOnly.resultsDatabase(), sparkOnly.ledger())
            .run("both-spark")
            .execute();
    assertThat(undone).allMatch(Rollback.Outcome::rolledBack, "rolled back");

    Settings withAgents = settings("true");
    Plan agentPlan = Planner.of(spark()).agentLimits(withAgents.agent()).plan(specs);
    long planned =
        agentPlan.datasets().stream().filter(d -> d.path() == ExecutionPath.AGENT).count();
    assertThat(planned).as("demo shapes planned for the agent path").isGreaterThanOrEqualTo(3);
    FleetReport byAgents =
        Fleet.of(spark(), withAgents)
            .runId("both-agent")
            .plan(agentPlan.planId(), 0)
            .execute(agentPlan.datasets());
    assertThat(byAgents.byAgents()).as("datasets the agents migrated").isEqualTo((int) planned);

    Map<String, Map<String, Object>> agentTargets = targets(byAgents);
    assertThat(agentTargets.keySet()).isEqualTo(sparkTargets.keySet());
    for (String id : sparkTargets.keySet()) {
      for (String aspect : sparkTargets.get(id).keySet()) {
        assertThat(agentTargets.get(id).get(aspect))
            .as("%s of target %s", aspect, id)
            .isEqualTo(sparkTargets.get(id).get(aspect));
      }
    }
    Map<String, DatasetResult> sparkRows = rows(bySpark);
    Map<String, DatasetResult> agentRows = rows(byAgents);
    assertThat(agentRows.keySet()).isEqualTo(sparkRows.keySet());
    for (PlannedDataset dataset : agentPlan.datasets()) {
      String id = dataset.spec().id();
      assertThat(comparable(agentRows.get(id)))
          .as("results row of %s (%s path)", id, dataset.path())
          .isEqualTo(comparable(sparkRows.get(id)));
    }
  }

  private Settings settings(String agents) {
    return Settings.load(
        null,
        Map.of(
            "dsmigrate.workdir",
            temp.resolve("work").toString(),
            "dsmigrate.results.database",
            "both_results",
            "dsmigrate.agent.enabled",
            agents,
            "dsmigrate.fleet.concurrency",
            "2"));
  }

  private static Map<String, String> withoutTimes(
      scala.collection.immutable.Map<String, String> map) {
    Map<String, String> sorted =
        new java.util.TreeMap<>(scala.jdk.javaapi.CollectionConverters.asJava(map));
    sorted.keySet().removeIf(key -> key.startsWith("transient_"));
    return sorted;
  }

  /** A results row without what differs from run to run (ids, times). */
  private static DatasetResult comparable(DatasetResult row) {
    return DatasetResult.recorded(
        new DatasetResult.Run("run", "plan", row.partition(), row.wave()),
        new DatasetResult.Subject(
            row.datasetId(),
            row.source(),
            row.target(),
            row.targetLocation(),
            row.transformKind(),
            row.inPlace(),
            row.specHash(),
            row.consumers()),
        row.status(),
        row.errorClass(),
        row.errorMessage(),
        row.attempts(),
        new DatasetResult.Counts(
            row.sourceRows(),
            row.targetRows(),
            row.schemaMatch(),
            row.contentMatch(),
            row.rowsMissing(),
            row.rowsExtra()),
        row.validation(),
        new DatasetResult.UndoPoints(
            row.snapshot() == null ? null : row.snapshot().replace("both-agent", "both-spark"),
            row.targetPreviousVersion(),
            row.backupTable()),
        new java.sql.Timestamp(0),
        new java.sql.Timestamp(0),
        0);
  }

  private static Map<String, DatasetResult> rows(FleetReport report) {
    Map<String, DatasetResult> rows = new LinkedHashMap<>();
    report.results().forEach(r -> rows.put(r.datasetId(), r));
    return rows;
  }

  /** What a consumer of each migrated target sees. */
  private Map<String, Map<String, Object>> targets(FleetReport report) throws Exception {
    Map<String, Map<String, Object>> targets = new LinkedHashMap<>();
    for (DatasetResult result : report.results()) {
      if (result.targetLocation() == null || !result.status().name().equals("SUCCEEDED")) {
        continue;
      }
      Map<String, Object> target = new LinkedHashMap<>();
      String location = result.targetLocation();
      target.put("schema", spark().read().format("delta").load(location).schema().json());
      // As JSON: binary values as base64, not as arrays' identities.
      target.put(
          "rows",
          sortedRows(
              spark()
                  .read()
                  .format("delta")
                  .load(location)
                  .selectExpr("to_json(struct(*)) AS row")));
      Row detail =
          spark()
              .sql("DESCRIBE DETAIL delta.`" + location + "`")
              .selectExpr(
                  "format",
                  "partitionColumns",
                  // In key order (a map keeps the order it was built in); the run that wrote
                  // it differs by design.
                  "CAST(array_sort(map_entries(map_filter(properties, (k, v) -> k !="
                      + " 'dsmigrate.run'))) AS STRING)",
                  "minReaderVersion",
                  "minWriterVersion",
                  "CAST(tableFeatures AS STRING)")
              .first();
      target.put("detail", detail.toString());
      if (result.target() != null
          && result.target().contains(".")
          && !result.target().contains("/")) {
        String[] name = result.target().split("\\.", 2);
        CatalogTable table =
            spark()
                .sessionState()
                .catalog()
                .getTableMetadata(new TableIdentifier(name[1], Option.apply(name[0])));
        List<Object> entry = new ArrayList<>();
        entry.add(table.tableType().name());
        entry.add(table.provider());
        entry.add(table.location().toString());
        entry.add(table.schema().json());
        entry.add(table.partitionColumnNames().toString());
        entry.add(table.properties().filterKeys(key -> !key.startsWith("transient_")).toString());
        entry.add(table.storage().properties().toString());
        target.put("metastore", entry);
      }
      targets.put(result.datasetId(), target);
    }
    return targets;
  }
}
