package io.dsmigrate.launcher;

import static io.dsmigrate.launcher.Cli.dsmigrate;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code dsmigrate submit} runs a plan partition through a real spark-submit of the job jar it
 * finds next to the dsmigrate classes, and exits with the job's code.
 */
class SubmitCommandIT extends SparkTestBase {
  @Test
  void submitRunsAPartitionThroughSparkSubmitAndItsDatasetIsMigrated() throws Exception {
    spark().range(40).selectExpr("id", "concat('v', id) AS v").write().parquet(path("events"));
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(
        specs,
        """
        id: it.events
        source: { path: "%s" }
        target: { path: "%s" }
        transform: { rename: { v: value } }
        """
            .formatted(path("events"), path("events_delta")));
    Path plan = temp.resolve("plan.json");
    Planner.of(spark()).plan(SpecLoader.load(List.of(specs)).orThrow()).write(plan);
    Path workdir = temp.resolve("work");

    Outcome outcome =
        dsmigrate(
            "submit",
            "--plan",
            plan.toString(),
            "--master",
            "local[2]",
            "--spark-home=",
            "--run-id",
            "run-submit-command",
            "--workdir",
            workdir.toString(),
            "--spark-conf",
            "spark.ui.enabled=false");

    assertThat(outcome.code()).as(outcome.out() + outcome.err()).isZero();
    assertThat(outcome.out())
        .contains("[partition 0] Run run-submit-command: SUCCEEDED=1")
        .contains("Partition 0: exit 0 (all done)");
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(workdir.resolve("warehouse/dsmigrate.db/migration_results").toString())
                .where("run_id = 'run-submit-command' AND status = 'SUCCEEDED' AND content_match")
                .count())
        .isEqualTo(1);
    assertThat(spark().read().format("delta").load(path("events_delta")).columns())
        .containsExactly("id", "value");
    assertThat(spark().read().format("delta").load(path("events_delta")).count()).isEqualTo(40);
  }
}
