package io.dsmigrate.job.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.migrate.Transformer;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.security.SecuritySettings;
import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.DatasetComparison;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class AgentsTest extends JobTestBase {

  @Test
  void anAgentWritesTheSameDeltaTableAndValidationAsTheSparkPath() {
    spark().sql("CREATE DATABASE IF NOT EXISTS agt_src");
    spark()
        .range(40)
        .selectExpr(
            "id",
            "CAST(id % 7 AS INT) AS cust_id",
            "CAST(id * 1.25 AS DOUBLE) AS amount",
            "date_add(DATE'2024-01-01', CAST(id AS INT)) AS day",
            "CASE WHEN id % 5 = 0 THEN NULL ELSE concat('n', id) END AS note",
            "TIMESTAMP'2024-03-01 10:00:00' + make_interval(0, 0, 0, 0, CAST(id AS INT)) AS ts",
            "array(id, id + 1) AS pair")
        .write()
        .format("parquet")
        .saveAsTable("agt_src.orders");
    var specs =
        specs(
            "agents.yaml",
            """
            datasets:
              - id: agt_orders
                source: { table: agt_src.orders }
                target: { path: %s }
                transform:
                  rename: { cust_id: customer_id }
                  cast: { amount: "decimal(18,2)" }
                  drop: [ note ]
                  add: { amount_x2: "amount * 2" }
                validation: { key: [ id ] }
            """
                .formatted(path("agent-target")));
    Plan plan = Planner.of(spark()).plan(specs);
    PlannedDataset planned = plan.datasets().get(0);
    Agents agents = Agents.of(spark(), SecuritySettings.DEFAULT);
    assertThat(agents.refusal(planned)).isNull();
    String tag = "dsmigrate run1 agt_orders 1234";
    List<AgentOutcome> outcomes = new ArrayList<>();
    agents.run(List.of(new Agents.Item(planned, path("agent-target"), tag)), outcomes::addAll);

    assertThat(outcomes).hasSize(1);
    AgentOutcome outcome = outcomes.get(0);
    assertThat(outcome.kind())
        .as(String.valueOf(outcome.message()))
        .isEqualTo(AgentOutcome.Kind.MIGRATED);
    Dataset<Row> written = spark().read().format("delta").load(path("agent-target"));
    Dataset<Row> expected =
        Transformer.apply(
            spark(), spark().table("agt_src.orders"), planned.spec(), SecuritySettings.DEFAULT);
    assertThat(written.schema()).isEqualTo(expected.schema().asNullable());
    assertThat(sortedRows(written)).isEqualTo(sortedRows(expected));
    ComparisonResult spark = DatasetComparison.of(expected, written).key(List.of("id")).execute();
    assertThat(outcome.comparison()).isEqualTo(spark);
    assertThat(
            spark()
                .sql("DESCRIBE HISTORY delta.`" + path("agent-target") + "`")
                .selectExpr(Ownership.COMMIT_TAG_SQL)
                .first()
                .getString(0))
        .isEqualTo(tag);
  }

  @Test
  void anAgentTouchesNothingAtATargetThatHoldsSomeoneElsesFilesAndHandsTheDatasetBack()
      throws Exception {
    PlannedDataset planned = plannedCopy("agt_foreign", path("agt-foreign-target"));
    java.nio.file.Path target = java.nio.file.Path.of(path("agt-foreign-target"));
    java.nio.file.Files.createDirectories(target);
    java.nio.file.Files.writeString(target.resolve("theirs.csv"), "a,b\n");
    var before = fileDigests(target.toString());

    List<AgentOutcome> outcomes = new ArrayList<>();
    Agents.of(spark(), SecuritySettings.DEFAULT)
        .run(
            List.of(
                new Agents.Item(
                    planned, target.toString(), "dsmigrate run2 agt_foreign 5678-aaaa")),
            outcomes::addAll);

    assertThat(outcomes)
        .singleElement()
        .extracting(AgentOutcome::kind)
        .isEqualTo(AgentOutcome.Kind.HANDED_BACK);
    assertThat(fileDigests(target.toString())).isEqualTo(before);
  }

  @Test
  void aSecondRunOfAnAgentsTaskReplacesOnlyWhatItsFirstRunWrote() throws Exception {
    PlannedDataset planned = plannedCopy("agt_rerun", path("agt-rerun-target"));
    String tag = "dsmigrate run3 agt_rerun 9999-bbbb";
    Agents agents = Agents.of(spark(), SecuritySettings.DEFAULT);
    List<AgentOutcome> first = new ArrayList<>();
    agents.run(List.of(new Agents.Item(planned, path("agt-rerun-target"), tag)), first::addAll);
    assertThat(first)
        .singleElement()
        .extracting(AgentOutcome::kind)
        .isEqualTo(AgentOutcome.Kind.MIGRATED);

    // The same attempt run again (as Spark runs a task again after its executor is lost).
    List<AgentOutcome> again = new ArrayList<>();
    agents.run(List.of(new Agents.Item(planned, path("agt-rerun-target"), tag)), again::addAll);
    assertThat(again)
        .singleElement()
        .extracting(AgentOutcome::kind)
        .isEqualTo(AgentOutcome.Kind.MIGRATED);
    assertThat(spark().read().format("delta").load(path("agt-rerun-target")).count()).isEqualTo(12);
    assertThat(deltaCommits(path("agt-rerun-target"))).isEqualTo(1);

    // Another attempt's tag: the files there are not its own, so it hands the dataset back.
    List<AgentOutcome> other = new ArrayList<>();
    agents.run(
        List.of(
            new Agents.Item(
                planned, path("agt-rerun-target"), "dsmigrate run4 agt_rerun 1111-cccc")),
        other::addAll);
    assertThat(other)
        .singleElement()
        .extracting(AgentOutcome::kind)
        .isEqualTo(AgentOutcome.Kind.HANDED_BACK);
    assertThat(spark().read().format("delta").load(path("agt-rerun-target")).count()).isEqualTo(12);
  }

  private PlannedDataset plannedCopy(String id, String target) {
    spark()
        .range(12)
        .selectExpr("id", "CAST(id AS STRING) AS s")
        .write()
        .parquet(path(id + "-src"));
    var specs =
        specs(
            id + ".yaml",
            """
            datasets:
              - id: %s
                source: { path: "%s" }
                target: { path: "%s" }
            """
                .formatted(id, path(id + "-src"), target));
    return Planner.of(spark()).plan(specs).datasets().get(0);
  }

  private static long deltaCommits(String location) {
    return spark().sql("DESCRIBE HISTORY delta.`" + location + "`").count();
  }
}
