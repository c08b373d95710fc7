package io.dsmigrate.job.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job checks specs again with its own settings: a plan written with looser settings, edited by
 * hand, or whose script changed since, is refused dataset by dataset, before anything is read or
 * written.
 */
class RunTimeSecurityTest extends JobTestBase {
  @BeforeAll
  static void legacyWarehouse() {
    spark().sql("CREATE DATABASE IF NOT EXISTS runsec_legacy");
    spark().range(4).write().format("parquet").saveAsTable("runsec_legacy.orders");
    spark().range(2).write().format("parquet").saveAsTable("runsec_legacy.secret");
  }

  @Test
  void whatTheJobsSettingsForbidFailsWithNotAllowedAndWritesNothing() throws Exception {
    Path allowed = Files.createDirectories(temp.resolve("allowed"));
    spark().range(3).write().parquet(allowed.resolve("extra").toString());
    Path specs = temp.resolve("specs");
    Files.createDirectories(specs.resolve("sql"));
    Files.writeString(specs.resolve("sql/orders.sql"), "SELECT id FROM source\n");
    Files.writeString(
        specs.resolve("run.yaml"),
        """
        datasets:
          - id: good
            source: { table: runsec_legacy.orders }
            target: { path: "%1$s/good" }
            transform: { sql: "SELECT id * 2 AS id FROM source" }
          - id: reads_files
            source: { table: runsec_legacy.orders }
            target: { path: "%1$s/reads_files" }
            transform: { sql: "SELECT id FROM parquet.`%1$s/extra`" }
          - id: outside_roots
            source: { table: runsec_legacy.orders }
            target: { path: "%2$s/outside" }
          - id: script_changed
            source: { table: runsec_legacy.orders }
            target: { path: "%1$s/script_changed" }
            transform: { script: sql/orders.sql }
          - id: plan_edited
            source: { table: runsec_legacy.orders }
            target: { path: "%1$s/plan_edited" }
            transform: { sql: "SELECT id AS edited FROM source" }
        """
            .formatted(allowed, temp));
    // The launcher allowed file reads and paths anywhere ...
    List<DatasetSpec> loaded =
        SpecLoader.load(List.of(specs), new SecuritySettings(true, List.of(), List.of())).orThrow();
    Path planFile = temp.resolve("plan.json");
    Planner.of(spark()).plan(loaded).write(planFile);
    // ... then someone edited the plan and the script.
    Files.writeString(
        planFile,
        Files.readString(planFile)
            .replace("SELECT id AS edited FROM source", "DROP TABLE runsec_legacy.orders"));
    Files.writeString(
        specs.resolve("sql/orders.sql"),
        "SELECT s.id FROM source s JOIN runsec_legacy.secret USING (id)\n");
    Plan plan = Plan.read(planFile);

    // ... and the job runs with the platform's settings.
    Settings settings =
        settings("runsec_results", "dsmigrate.security.path-roots.0", allowed.toString());
    assertThat(settings.security().pathRoots()).containsExactly(allowed.toString());
    FleetReport report =
        Fleet.of(spark(), settings)
            .runId("run-sec")
            .plan(plan.planId(), 0)
            .execute(plan.datasets());

    DatasetResult good = result(report, "good");
    assertThat(good.status()).as(good.errorMessage()).isEqualTo(Status.SUCCEEDED);
    String yaml = specs.resolve("run.yaml").toString();
    assertRefused(
        report,
        "reads_files",
        "Cannot migrate reads_files: transform.sql reads files directly (parquet.`"
            + allowed
            + "/extra`), which dsmigrate.security.allow-file-reads = false forbids. Nothing was"
            + " read or written. Fix transform.sql in "
            + yaml
            + ":9");
    assertRefused(
        report,
        "outside_roots",
        "Cannot migrate outside_roots: target.path "
            + temp
            + "/outside is not under dsmigrate.security.path-roots ("
            + allowed
            + "). Nothing was read or written. Fix target.path in "
            + yaml
            + ":12");
    assertRefused(
        report,
        "script_changed",
        "Cannot migrate script_changed: transform.script reads runsec_legacy.secret; it may read"
            + " only the view 'source'. Nothing was read or written. Fix transform.script in "
            + yaml
            + ":16");
    assertRefused(
        report,
        "plan_edited",
        "Cannot migrate plan_edited: transform.sql must be one SELECT over the view 'source'."
            + " Nothing was read or written. Fix transform.sql in "
            + yaml
            + ":20");
    assertThat(spark().table("runsec_legacy.orders").count()).isEqualTo(4);
    assertThat(temp.resolve("outside")).doesNotExist();
    for (String id : List.of("reads_files", "script_changed", "plan_edited")) {
      assertThat(allowed.resolve(id)).as(id).doesNotExist();
    }
  }

  private static void assertRefused(FleetReport report, String datasetId, String message) {
    DatasetResult refused = result(report, datasetId);
    assertThat(refused.status()).as(datasetId).isEqualTo(Status.FAILED);
    assertThat(refused.errorClass()).as(refused.errorMessage()).isEqualTo("NOT_ALLOWED");
    assertThat(refused.errorMessage()).isEqualTo(message);
    assertThat(refused.attempts()).isEqualTo(1);
  }
}
