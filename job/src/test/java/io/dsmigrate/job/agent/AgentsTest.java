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
}
