package io.dsmigrate.job.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.testing.ChildJvm;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A run killed right after it recorded some notices as sent, then resumed: the resumed run sends
 * the rest and none of those again. Each run is a child JVM running the job's main class, posting
 * to a receiver in this JVM; the first halts (as abruptly as SIGKILL) once the second dataset's
 * STARTING notice is recorded, while that dataset is being migrated.
 */
class NoticesOnceIT extends SparkTestBase {
  @Test
  void aKilledRunResumedSendsNoEventTwice() throws Exception {
    Path workdir = temp.resolve("work");
    Path planFile = writePlan();
    try (Receiver receiver = Receiver.accepting()) {
      ChildJvm.Exit killed = run(planFile, workdir, receiver.url(), "second:NOTICE_STARTING");
      assertThat(killed.code()).as(killed.output()).isEqualTo(HaltPoint.STATUS);
      // Sent in order, so all before it too (and the second's outcome, if it came in time).
      assertThat(receiver.countsByKey())
          .as("what the killed run sent before it died")
          .containsEntry("STARTING/notice-run/first", 1)
          .containsEntry("SUCCEEDED/notice-run/first", 1)
          .containsEntry("STARTING/notice-run/second", 1)
          .allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(1));

      ChildJvm.Exit resumed = run(planFile, workdir, receiver.url(), "");
      assertThat(resumed.code()).as(resumed.output()).isZero();
      assertThat(receiver.countsByKey())
          .as("every event told once, across the kill")
          .isEqualTo(
              Map.of(
                  "STARTING/notice-run/first", 1,
                  "SUCCEEDED/notice-run/first", 1,
                  "STARTING/notice-run/second", 1,
                  "SUCCEEDED/notice-run/second", 1));
      assertThat(receiver.body("SUCCEEDED/notice-run/second").get("result").get("status").asText())
          .isEqualTo("SUCCEEDED");
    }
    Dataset<Row> recorded =
        spark()
            .read()
            .format("delta")
            .load(workdir.resolve("warehouse/dsmigrate.db/notifications").toString());
    assertThat(sortedRows(recorded.where("sent_at IS NOT NULL").select("event_key")))
        .containsExactly(
            "[STARTING/notice-run/first]",
            "[STARTING/notice-run/second]",
            "[SUCCEEDED/notice-run/first]",
            "[SUCCEEDED/notice-run/second]");
  }

  /** Two small datasets, run in this order. */
  private Path writePlan() throws Exception {
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (String id : List.of("first", "second")) {
      spark().range(30).selectExpr("id", "concat('v-', id) AS v").write().parquet(path(id));
      yaml.append("  - id: ").append(id).append('\n');
      yaml.append("    owner: team-").append(id).append('\n');
      yaml.append("    source: { path: \"").append(path(id)).append("\" }\n");
      yaml.append("    target: { path: \"").append(path(id + "_out")).append("\" }\n");
    }
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(specs, yaml);
    Plan planned = Planner.of(spark()).plan(SpecLoader.load(List.of(specs)).orThrow());
    Map<String, PlannedDataset> byId = new java.util.HashMap<>();
    planned.datasets().forEach(dataset -> byId.put(dataset.spec().id(), dataset));
    Plan plan =
        new Plan(
            planned.planId(),
            planned.createdAt(),
            List.of(
                new Plan.Partition(
                    0,
                    1,
                    planned.partitions().get(0).sizeBytes(),
                    List.of(byId.get("first"), byId.get("second")))));
    Path file = temp.resolve("plan.json");
    plan.write(file);
    return file;
  }

  /** Runs the plan's partition in a child JVM, as run {@code notice-run}, to its end or halt. */
  private ChildJvm.Exit run(Path planFile, Path workdir, String webhook, String haltAfter)
      throws Exception {
    ChildJvm.Exit exit =
        ChildJvm.of(
                "io.dsmigrate.job.MigrationJobMain",
                temp,
                Files.createTempFile(temp, "child-", ".log"))
            .withJvmOptions(
                "-Xmx1g",
                "-Dspark.ui.enabled=false",
                "-Dspark.sql.shuffle.partitions=2",
                "-Dderby.system.durability=test")
            .withTestLogging()
            .withArguments(
                "--plan",
                planFile.toString(),
                "--partition",
                "0",
                "--run-id",
                "notice-run",
                "--workdir",
                workdir.toString(),
                // One at a time, on the Spark path: the second starts after the first's outcome.
                "-Ddsmigrate.fleet.concurrency=1",
                "-Ddsmigrate.agent.enabled=false",
                "-Ddsmigrate.notify.webhook.url=" + webhook,
                "-Ddsmigrate.testing.halt-after=" + haltAfter)
            .run(Duration.ofMinutes(5));
    if (exit.code() != 0 && exit.code() != HaltPoint.STATUS) {
      throw new AssertionError("the job failed (" + exit.code() + "):\n" + exit.output());
    }
    return exit;
  }
}
