package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.testing.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An edited SQL script migrates its dataset again: the spec hash recorded with an outcome is of the
 * script text that ran, read when the dataset starts, so neither the same specs nor a plan written
 * before the edit skip it as "already migrated with the same spec".
 */
class EditedScriptTest extends JobTestBase {
  private FleetReport run(Settings settings, Plan plan, String runId) {
    return JobRunner.run(
        spark(),
        settings,
        plan,
        JobRunner.Options.of(runId),
        new PrintStream(new ByteArrayOutputStream()));
  }

  private List<String> target() {
    return SparkTestBase.sortedRows(spark().read().format("delta").load(path("out/scripted")));
  }

  @Test
  void anEditedScriptIsMigratedAgainWithTheSameSpecsAndWithAPlanWrittenBeforeTheEdit()
      throws Exception {
    Settings settings = settings("editscript_results");
    spark().range(1, 4).selectExpr("id").write().parquet(path("legacy/orders"));
    Path script = temp.resolve("specs/t.sql");
    Files.createDirectories(script.getParent());
    Files.writeString(script, "SELECT id FROM source\n");
    String yaml =
        """
        id: scripted
        source: { path: "%s", format: parquet }
        target: { path: "%s" }
        transform: { script: t.sql }
        """
            .formatted(path("legacy/orders"), path("out/scripted"));
    List<DatasetSpec> specs = specs("scripted.yaml", yaml);
    Path planFile = temp.resolve("plan.json");
    Planner.of(spark()).plan(specs).write(planFile);

    FleetReport first = run(settings, Plan.read(planFile), "editscript-1");
    assertThat(result(first, "scripted").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(target()).containsExactly("[1]", "[2]", "[3]");

    // The script changes after the plan was written; the old plan runs it.
    Files.writeString(script, "SELECT id * 10 AS id FROM source\n");
    FleetReport oldPlan = run(settings, Plan.read(planFile), "editscript-2");
    assertThat(result(oldPlan, "scripted").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(target()).containsExactly("[10]", "[20]", "[30]");

    // And again, with the same specs planned anew.
    Files.writeString(script, "SELECT id * 100 AS id FROM source\n");
    FleetReport sameSpecs =
        run(settings, Planner.of(spark()).plan(specs("scripted.yaml", yaml)), "editscript-3");
    assertThat(result(sameSpecs, "scripted").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(target()).containsExactly("[100]", "[200]", "[300]");
    assertThat(result(sameSpecs, "scripted").specHash())
        .isNotEqualTo(result(oldPlan, "scripted").specHash())
        .isNotEqualTo(result(first, "scripted").specHash());

    // Unchanged since: skipped, with the plan written before any edit too.
    FleetReport unchanged = run(settings, Plan.read(planFile), "editscript-4");
    assertThat(result(unchanged, "scripted").status()).isEqualTo(Status.SKIPPED);
    assertThat(target()).containsExactly("[100]", "[200]", "[300]");
  }
}
