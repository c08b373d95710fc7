package io.dsmigrate.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An exception that nobody expected (here: a file system client that throws an unchecked exception
 * while the ledger is read) still ends every dataset with a results row, INTERNAL_ERROR, and the
 * run's exit code counts it.
 */
class UnexpectedFailureTest extends JobTestBase {
  @Test
  void everyDatasetGetsARowWhenAnUnexpectedExceptionEscapes() {
    spark()
        .sparkContext()
        .hadoopConfiguration()
        .set("fs.buggy.impl", BuggyFileSystem.class.getName());
    spark().sparkContext().hadoopConfiguration().set("fs.buggy.impl.disable.cache", "true");
    spark().range(3).write().parquet(path("src"));
    Settings settings =
        settings(
            "unexpected_results",
            "dsmigrate.ledger.dir",
            "buggy://" + temp.resolve("ledger").toAbsolutePath(),
            // The local file system underneath: its hard links are atomic.
            "dsmigrate.ledger.atomic-schemes.0",
            "buggy");
    String yaml =
        """
        datasets:
          - id: one
            source: { path: "%s" }
            target: { path: "%s" }
          - id: two
            source: { path: "%s" }
            target: { path: "%s" }
        """
            .formatted(path("src"), path("one"), path("src"), path("two"));
    BuggyFileSystem.BROKEN.set(true);
    FleetReport report;
    try {
      report = run(settings, specs("u.yaml", yaml), "unexpected-1");
    } finally {
      BuggyFileSystem.BROKEN.set(false);
    }
    assertThat(report.results()).hasSize(2);
    for (String id : List.of("one", "two")) {
      DatasetResult row = result(report, id);
      assertThat(row.status()).isEqualTo(Status.FAILED);
      assertThat(row.errorClass()).isEqualTo(ErrorClass.INTERNAL_ERROR.name());
      assertThat(row.errorMessage())
          .startsWith("Cannot migrate " + id + ": unexpected IllegalStateException: injected:")
          .contains("see the driver log");
    }
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(
            spark()
                .table("unexpected_results.migration_results")
                .where("error_class = 'INTERNAL_ERROR'")
                .count())
        .isEqualTo(2);

    // Once the file system behaves, the same run picks both up.
    FleetReport rerun = run(settings, specs("u.yaml", yaml), "unexpected-1");
    assertThat(result(rerun, "one").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(result(rerun, "two").status()).isEqualTo(Status.SUCCEEDED);
  }
}
