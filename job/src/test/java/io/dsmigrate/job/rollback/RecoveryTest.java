package io.dsmigrate.job.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.LeftBehind;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** What a run picks up from the ledger of a run that stopped, in one JVM. */
class RecoveryTest extends JobTestBase {
  @Test
  void anOutcomeLeftWithItsResultsRowPendingIsRecordedOnceWhetherOrNotItsRowWasCommitted()
      throws Exception {
    spark().range(12).write().parquet(path("source"));
    Settings settings = settings("recovery_results");
    List<DatasetSpec> specs =
        specs(
            "r.yaml",
            """
            datasets:
              - id: committed
                source: { path: "%s" }
                target: { path: "%s" }
              - id: pending
                source: { path: "%s" }
                target: { path: "%s" }
            """
                .formatted(path("source"), path("committed"), path("source"), path("pending")));
    run(settings, specs, "run-first");
    Ledger ledger =
        Ledger.open(
            settings.ledger().directory(),
            settings.resultsDatabase(),
            spark().sessionState().newHadoopConf());
    ResultsTable results = ResultsTable.in(spark(), settings.resultsDatabase());

    // As if run-first had been killed with both outcomes in the ledger and one row committed.
    LeaseOwner gone = LeftBehind.goneOwner("run-first");
    for (String id : List.of("committed", "pending")) {
      LedgerEntry head = ledger.head(id);
      DatasetResult left =
          head.result()
              .withOutcome(
                  Status.SUCCEEDED,
                  null,
                  null,
                  head.result().startedAt(),
                  new Timestamp(head.result().finishedAt().getTime() + 1_000));
      if (id.equals("committed")) {
        results.append(List.of(left));
      }
      assertThat(LeftBehind.write(ledger, head, gone, LedgerState.SUCCEEDED, left)).isTrue();
    }

    FleetReport rerun = run(settings, specs, "run-second");
    for (String id : List.of("committed", "pending")) {
      DatasetResult skipped = result(rerun, id);
      assertThat(skipped.status()).isEqualTo(Status.SKIPPED);
      assertThat(skipped.errorMessage())
          .isEqualTo("already migrated by run run-first with the same spec");
      assertThat(
              spark()
                  .table("recovery_results.migration_results")
                  .where("dataset_id = '" + id + "' AND run_id = 'run-first'")
                  .count())
          .as(id + ": the first row and the left one, once")
          .isEqualTo(2);
      LedgerEntry head = ledger.head(id);
      assertThat(head.recorded()).isTrue();
      assertThat(head.holdsLease()).isFalse();
      assertThat(head.owner().runId()).isEqualTo("run-second");
    }
  }

  @Test
  void aWriteIsKnownToHaveCommittedByItsCommitTagAndItsTable() {
    SparkSession tagged = spark().newSession();
    tagged.conf().set("spark.databricks.delta.commitInfo.userMetadata", "dsmigrate run-1 a x");
    tagged.range(3).write().format("delta").save(path("by_path"));
    tagged.sql("CREATE DATABASE IF NOT EXISTS recovery_db");
    tagged.range(3).write().format("delta").saveAsTable("recovery_db.by_table");
    String tableLocation =
        spark().sql("DESCRIBE DETAIL recovery_db.by_table").first().<String>getAs("location");

    assertThat(
            Recovery.committed(
                spark(), writing(path("by_path"), path("by_path"), "dsmigrate run-1 a x")))
        .isTrue();
    assertThat(
            Recovery.committed(
                spark(), writing(path("by_path"), path("by_path"), "dsmigrate run-1 a y")))
        .as("another attempt's tag")
        .isFalse();
    assertThat(
            Recovery.committed(
                spark(), writing(path("nothing"), path("nothing"), "dsmigrate run-1 a x")))
        .isFalse();
    assertThat(
            Recovery.committed(
                spark(), writing("recovery_db.by_table", tableLocation, "dsmigrate run-1 a x")))
        .isTrue();
    assertThat(
            Recovery.committed(
                spark(),
                writing("recovery_db.not_registered", tableLocation, "dsmigrate run-1 a x")))
        .as("data committed, table not registered: not whole")
        .isFalse();
  }

  private static LedgerEntry writing(String target, String location, String tag) {
    return new LedgerEntry(
        3,
        "a",
        LedgerState.WRITING,
        false,
        LeaseOwner.current("run-1"),
        0,
        0,
        false,
        "hash",
        tag,
        new MigrationProgress(null, target, null, location, null, false, null, false),
        null,
        null);
  }
}
