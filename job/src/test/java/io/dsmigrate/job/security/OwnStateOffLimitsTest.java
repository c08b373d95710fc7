package io.dsmigrate.job.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * dsmigrate's own state (the results database's tables; the ledger, snapshot, control, plan,
 * metastore and results directories) is never a source or a target: a spec problem at its line when
 * specs load, and NOT_ALLOWED, with nothing read or written, when a plan written with other
 * settings runs.
 */
class OwnStateOffLimitsTest extends JobTestBase {
  private Path write(String name, String text) throws IOException {
    Path file = temp.resolve("specs").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void specsThatReadOrWriteDsmigratesStateAreRefusedAtTheirLines() throws IOException {
    Settings settings = settings("ownstate_results");
    Path work = temp.resolve("work");
    Path file =
        write(
            "own.yaml",
            """
            datasets:
              - id: results_as_source
                source: { table: ownstate_results.migration_results }
                target: { table: ownstate_new.results_copy }
              - id: into_results_database
                source: { table: ownstate_legacy.orders }
                target: { table: OwnState_Results.mine }
              - id: into_ledger
                source: { table: ownstate_legacy.orders }
                target: { path: "%1$s/ledger/ownstate_results/x" }
              - id: from_snapshots
                source: { path: "%1$s/snapshots/run-1/orders" }
                target: { table: ownstate_new.from_snapshots }
              - id: into_control
                sourcePath: "%1$s/control"
                targetPath: /warehouse/control
              - id: into_plans
                source: { table: ownstate_legacy.orders }
                target: { path: "file:%1$s/plans/../plans/p" }
              - id: into_metastore
                source: { table: ownstate_legacy.orders }
                target: { path: "%1$s/metastore_db/x" }
              - id: into_results_files
                source: { table: ownstate_legacy.orders }
                target: { path: "%1$s/warehouse/ownstate_results.db/y" }
              - id: beside_them
                source: { table: ownstate_legacy.orders }
                target: { path: "%1$s/warehouse/ownstate_new.db/ledger" }
            """
                .formatted(work));
    // Loaded on its own: a target that holds the workdir holds the other specs' targets too.
    Path workdir =
        write(
            "workdir.yaml",
            """
            id: over_workdir
            source: { table: ownstate_legacy.orders }
            target: { path: "%s" }
            """
                .formatted(work));

    List<String> problems = new java.util.ArrayList<>();
    for (Path specs : List.of(file, workdir)) {
      SpecLoader.load(List.of(specs), settings.security(), settings.reservedLocations())
          .problems()
          .forEach(problem -> problems.add(problem.toString()));
    }

    String results =
        "is in dsmigrate's results database ownstate_results (dsmigrate.results.database), which"
            + " holds dsmigrate's own tables (migration_results, diff_samples, dropped_backups); a"
            + " spec cannot read or write any table of it. Choose a table in another database";
    assertThat(problems)
        .containsExactlyInAnyOrder(
            file
                + ":3: results_as_source: source.table: ownstate_results.migration_results "
                + results,
            file + ":7: into_results_database: target.table: OwnState_Results.mine " + results,
            inside(file, 10, "into_ledger", "target.path", work + "/ledger/ownstate_results/x")
                + "the ledger (dsmigrate.ledger.dir) (file:"
                + work
                + "/ledger), which is dsmigrate's own state; a spec cannot read or write there. Choose"
                + " another location",
            inside(file, 12, "from_snapshots", "source.path", work + "/snapshots/run-1/orders")
                + "the snapshots (dsmigrate.snapshots.dir) (file:"
                + work
                + "/snapshots), which is dsmigrate's own state; a spec cannot read or write"
                + " there. Choose another location",
            workdir
                + ":3: over_workdir: target.path: "
                + work
                + " holds the ledger (dsmigrate.ledger.dir) (file:"
                + work
                + "/ledger), which is dsmigrate's own state; a spec cannot read or write a directory that"
                + " holds it. Choose another location",
            inside(file, 15, "into_control", "sourcePath", work + "/control")
                + "the pause requests (dsmigrate.control.dir) (file:"
                + work
                + "/control), which is dsmigrate's own state; a spec cannot read or write there. Choose"
                + " another location",
            inside(file, 19, "into_plans", "target.path", "file:" + work + "/plans/../plans/p")
                + "the plans (<workdir>/plans) (file:"
                + work
                + "/plans), which is dsmigrate's own state; a spec cannot read or write there."
                + " Choose another location",
            inside(file, 22, "into_metastore", "target.path", work + "/metastore_db/x")
                + "the embedded metastore (<workdir>/metastore_db) (file:"
                + work
                + "/metastore_db), which is dsmigrate's own state; a spec cannot read or write"
                + " there. Choose another location",
            inside(
                    file,
                    25,
                    "into_results_files",
                    "target.path",
                    work + "/warehouse/ownstate_results.db/y")
                + "the results database's files (<warehouse>/ownstate_results.db) (file:"
                + work
                + "/warehouse/ownstate_results.db), which is dsmigrate's own state; a spec cannot"
                + " read or write there. Choose another location");
  }

  private static String inside(Path file, int line, String id, String field, String location) {
    return file + ":" + line + ": " + id + ": " + field + ": " + location + " is in ";
  }

  @Test
  void aPlanWrittenWithOtherSettingsFailsNotAllowedAndTouchesNothing() throws IOException {
    Settings settings = settings("ownstate_run");
    Path work = temp.resolve("work");
    spark().sql("CREATE DATABASE IF NOT EXISTS ownstate_legacy");
    spark().range(4).write().mode("overwrite").saveAsTable("ownstate_legacy.orders");
    // A table whose files the metastore keeps in the snapshots directory.
    Path snapshotted = work.resolve("snapshots/old-run/orders");
    spark().range(3).write().parquet(snapshotted.toString());
    spark().sql("DROP TABLE IF EXISTS ownstate_legacy.in_snapshots");
    spark()
        .sql(
            "CREATE TABLE ownstate_legacy.in_snapshots USING parquet LOCATION '"
                + snapshotted
                + "'");
    Path file =
        write(
            "run.yaml",
            """
            datasets:
              - id: into_results_database
                source: { table: ownstate_legacy.orders }
                target: { table: ownstate_run.mine }
              - id: into_ledger
                source: { table: ownstate_legacy.orders }
                target: { path: "%1$s/ledger/ownstate_run/x" }
              - id: table_in_snapshots
                source: { table: ownstate_legacy.in_snapshots }
                target: { path: "%2$s/out/table_in_snapshots" }
              - id: fine
                source: { table: ownstate_legacy.orders }
                target: { path: "%2$s/out/fine" }
            """
                .formatted(work, temp));
    // The plan was written where nothing was reserved (other settings, or edited by hand).
    List<DatasetSpec> specs =
        SpecLoader.load(List.of(file), SecuritySettings.DEFAULT, ReservedLocations.NONE).orThrow();

    FleetReport report = run(settings, specs, "ownstate-run-1");

    assertThat(result(report, "fine").status()).isEqualTo(Status.SUCCEEDED);
    DatasetResult results = result(report, "into_results_database");
    assertThat(results.status()).isEqualTo(Status.FAILED);
    assertThat(results.errorClass()).isEqualTo("NOT_ALLOWED");
    assertThat(results.errorMessage())
        .startsWith(
            "Cannot migrate into_results_database: target.table ownstate_run.mine is in"
                + " dsmigrate's results database ownstate_run")
        .endsWith("Nothing was read or written. Fix target.table in " + file + ":4");
    assertThat(spark().catalog().tableExists("ownstate_run.mine")).isFalse();

    DatasetResult ledger = result(report, "into_ledger");
    assertThat(ledger.errorClass()).isEqualTo("NOT_ALLOWED");
    assertThat(ledger.errorMessage())
        .contains("target.path " + work + "/ledger/ownstate_run/x is in the ledger");
    assertThat(work.resolve("ledger/ownstate_run/x")).doesNotExist();

    DatasetResult inSnapshots = result(report, "table_in_snapshots");
    assertThat(inSnapshots.errorClass()).isEqualTo("NOT_ALLOWED");
    assertThat(inSnapshots.errorMessage())
        .contains("source.table table ownstate_legacy.in_snapshots (at ")
        .contains("is in the snapshots (dsmigrate.snapshots.dir)");
    assertThat(temp.resolve("out/table_in_snapshots")).doesNotExist();
  }
}
