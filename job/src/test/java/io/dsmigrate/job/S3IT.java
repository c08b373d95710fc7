package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Rollback;
import io.dsmigrate.testing.S3Server;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared SparkSession against a real S3 API ({@link S3Server}) through Hadoop's S3A connector:
 * Parquet and Delta written to {@code s3a://} and read back, a fleet whose sources, targets and
 * snapshots are there (a migration to a new location and one in place) and its rollback, and a
 * ledger on an object store refused. The ledger and pause requests stay local: an object store
 * cannot create a file only if it is absent in one atomic step.
 */
class S3IT extends JobTestBase {
  private static final String BUCKET = "dsmigrate-tests";

  @TempDir static Path s3Dir;
  private static S3Server s3;

  @RegisterExtension
  static final TestWatcher PRINT_S3_LOG =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (s3 != null) {
            System.err.println(s3.logTail(200));
          }
        }
      };

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(s3Dir, BUCKET);
    Configuration conf = spark().sparkContext().hadoopConfiguration();
    s3.s3aSettings().forEach(conf::set);
  }

  @AfterAll
  static void stopS3() throws IOException {
    if (s3 == null) {
      return;
    }
    Configuration conf = spark().sparkContext().hadoopConfiguration();
    // The cached S3A client of this server goes with it, and its settings with the session.
    FileSystem.get(java.net.URI.create("s3a://" + BUCKET), conf).close();
    s3.s3aSettings().keySet().forEach(conf::unset);
    s3.close();
  }

  private static String s3a(String path) {
    return "s3a://" + BUCKET + "/" + path;
  }

  @Test
  void parquetAndDeltaRoundTripThroughS3() {
    assertParquetAndDeltaRoundTrip(s3a("smoke"));
  }

  @Test
  void aFleetOnS3MigratesSnapshotsAndRollsBack() {
    spark()
        .range(40)
        .selectExpr("id", "concat('o', id) AS name", "CAST(id * 3 AS INT) AS qty")
        .write()
        .parquet(s3a("legacy/orders"));
    spark()
        .range(25)
        .selectExpr("id", "concat('u', id) AS url")
        .repartition(3)
        .write()
        .parquet(s3a("legacy/clicks"));
    Map<String, String> clicksFiles = fileDigests(s3a("legacy/clicks"));
    assertThat(clicksFiles).isNotEmpty();

    Settings settings = settings("s3_results", "dsmigrate.snapshots.dir", s3a("snapshots"));
    assertThat(settings.ledger().directory()).startsWith("file:");
    assertThat(settings.ledger().controlDirectory()).startsWith("file:");
    Plan plan =
        Planner.of(spark())
            .plan(
                specs(
                    "s3.yaml",
                    """
                    datasets:
                      - id: orders
                        source: { path: "%s", format: parquet }
                        target: { path: "%s" }
                        transform: { rename: { qty: quantity } }
                      - id: clicks
                        source: { path: "%s", format: parquet }
                        target: { path: "%s" }
                        transform: { add: { origin: "'legacy'" } }
                    """
                        .formatted(
                            s3a("legacy/orders"),
                            s3a("delta/orders"),
                            s3a("legacy/clicks"),
                            s3a("legacy/clicks"))));
    // Both writers of Delta tables meet S3: Delta Kernel's commits (the agents) and Delta's own.
    assertThat(plan.datasets())
        .extracting(dataset -> dataset.spec().id() + ": " + dataset.path())
        .containsExactlyInAnyOrder("orders: AGENT", "clicks: SPARK");
    FleetReport report = run(settings, plan, "run-s3", false);
    for (DatasetResult result : report.results()) {
      assertThat(result.status())
          .as(result.datasetId() + ": " + result.errorMessage())
          .isEqualTo(Status.SUCCEEDED);
    }
    assertThat(result(report, "orders").inPlace()).isFalse();
    assertThat(result(report, "orders").snapshot()).isNull();
    assertThat(result(report, "clicks").inPlace()).isTrue();
    assertThat(result(report, "clicks").snapshot()).startsWith("copy:" + s3a("snapshots/"));
    assertThat(fileDigests(s3a("snapshots")).keySet())
        .as("the snapshot of the in-place source only")
        .isNotEmpty()
        .allSatisfy(file -> assertThat(file).startsWith("run-s3/clicks/"));

    assertThat(
            spark()
                .read()
                .format("delta")
                .load(s3a("delta/orders"))
                .selectExpr("count(*)", "sum(quantity)", "min(name)")
                .first()
                .toString())
        .isEqualTo("[40,2340,o0]");
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(s3a("legacy/clicks"))
                .selectExpr("count(*)", "sum(id)", "min(origin)", "max(origin)")
                .first()
                .toString())
        .isEqualTo("[25,300,legacy,legacy]");

    List<Rollback.Outcome> outcomes =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger()).run("run-s3").execute();
    assertThat(outcomes)
        .hasSize(2)
        .allSatisfy(
            o -> assertThat(o.rolledBack()).as(o.datasetId() + ": " + o.message()).isTrue());
    assertThat(fileDigests(s3a("legacy/clicks")))
        .as("the in-place source's files, names and bytes, as before the run")
        .isEqualTo(clicksFiles);
    assertThat(sortedRows(spark().read().parquet(s3a("legacy/clicks"))))
        .hasSize(25)
        .contains("[0,u0]", "[24,u24]");
    assertThat(fileDigests(s3a("delta/orders"))).as("the new target is gone").isEmpty();
    assertThat(spark().read().parquet(s3a("legacy/orders")).count()).isEqualTo(40);
  }

  @Test
  void aLedgerOnS3IsRefusedAtStartUp() {
    assertThatThrownBy(() -> settings("s3_refused", "dsmigrate.ledger.dir", s3a("ledger")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dsmigrate.ledger.dir")
        .hasMessageContaining(s3a("ledger"))
        .hasMessageContaining("dsmigrate.ledger.atomic-schemes");
  }
}
