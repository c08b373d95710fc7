package io.dsmigrate.job.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rollback never destroys what others wrote after the run: commits to the target (or to the table
 * that was cut over to it) that the run did not make, or a newer run that migrated the dataset
 * again. It is refused, naming them, and changes nothing, unless {@code --force}.
 */
class RollbackAfterForeignWritesTest extends JobTestBase {
  @Test
  void aConsumersAppendToTheTargetIsNotRolledBackUnlessForced() {
    spark().range(5).selectExpr("id", "id * 3 AS v").write().parquet(path("src"));
    Settings settings = settings("rbf_results1");
    List<DatasetSpec> specs =
        specs(
            "a.yaml",
            "id: appended\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n"
                .formatted(path("src"), path("target")));
    assertThat(result(run(settings, specs, "rbf-1"), "appended").status())
        .isEqualTo(Status.SUCCEEDED);
    spark()
        .range(50, 53)
        .selectExpr("id", "id AS v")
        .write()
        .format("delta")
        .mode("append")
        .save(path("target"));
    Map<String, String> before = fileDigests(path("target"));
    LedgerEntry headBefore = ledger(settings).head("appended");

    List<Rollback.Outcome> refused =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger()).run("rbf-1").execute();
    assertThat(refused).hasSize(1);
    assertThat(refused.get(0).rolledBack()).isFalse();
    assertThat(refused.get(0).message())
        .startsWith("rollback refused: ")
        .contains("received commits that this migration did not make: version 1 (WRITE at")
        .contains("not dsmigrate")
        .contains("nothing was changed")
        .contains("--force");
    assertThat(fileDigests(path("target"))).as("their rows stay, byte for byte").isEqualTo(before);
    assertThat(ledger(settings).head("appended")).isEqualTo(headBefore);
    assertThat(
            spark().table("rbf_results1.migration_results").where("status = 'ROLLED_BACK'").count())
        .isZero();

    List<Rollback.Outcome> forced =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("rbf-1")
            .force(true)
            .execute();
    assertThat(forced.get(0).rolledBack()).as(forced.get(0).message()).isTrue();
    assertThat(fileDigests(path("target"))).isEmpty();
    assertThat(ledger(settings).head("appended").state()).isEqualTo(LedgerState.ROLLED_BACK);
  }

  @Test
  void anInsertThroughTheCutOverNameIsNotRolledBack() {
    spark().sql("CREATE DATABASE IF NOT EXISTS rbf_legacy");
    spark().sql("CREATE DATABASE IF NOT EXISTS rbf_sales");
    spark()
        .range(8)
        .selectExpr("id", "CAST(id AS INT) AS qty")
        .write()
        .format("parquet")
        .saveAsTable("rbf_legacy.orders");
    Settings settings = settings("rbf_results2");
    List<DatasetSpec> specs =
        specs(
            "c.yaml",
            """
            id: cut
            source: { table: rbf_legacy.orders }
            target: { table: rbf_sales.orders }
            transform: { cast: { qty: bigint } }
            cutover: true
            """);
    assertThat(result(run(settings, specs, "rbf-2"), "cut").status()).isEqualTo(Status.SUCCEEDED);
    // A consumer keeps writing through the old name, which reads the new data now.
    spark().sql("INSERT INTO rbf_legacy.orders VALUES (100, 1)");
    List<String> rows = sortedRows(spark().table("rbf_legacy.orders"));
    long version = deltaVersion("rbf_sales.orders");

    Rollback.Outcome refused =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("rbf-2")
            .execute()
            .get(0);
    assertThat(refused.rolledBack()).isFalse();
    assertThat(refused.message()).contains("version " + version + " (WRITE at");
    assertThat(sortedRows(spark().table("rbf_legacy.orders"))).isEqualTo(rows);
    assertThat(deltaVersion("rbf_sales.orders")).isEqualTo(version);
    assertThat(state("rbf_legacy.orders").provider()).isEqualTo("delta");
  }

  @Test
  void aRunThatANewerRunMigratedAgainIsRolledBackOnlyAfterTheNewerOne() {
    spark().range(6).selectExpr("id", "id * 2 AS v").write().parquet(path("src3"));
    Settings settings = settings("rbf_results3");
    String spec = "id: again\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n";
    String base = spec.formatted(path("src3"), path("t3"));
    assertThat(result(run(settings, specs("r.yaml", base), "rbf-old"), "again").status())
        .isEqualTo(Status.SUCCEEDED);
    assertThat(
            result(
                    run(
                        settings,
                        specs("r.yaml", base + "transform: { add: { w: \"v * 2\" } }\n"),
                        "rbf-new"),
                    "again")
                .status())
        .isEqualTo(Status.SUCCEEDED);
    Map<String, String> newer = fileDigests(path("t3"));

    Rollback.Outcome refused =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("rbf-old")
            .execute()
            .get(0);
    assertThat(refused.rolledBack()).isFalse();
    assertThat(refused.message())
        .contains("run rbf-new")
        .contains("migrated it again after run rbf-old")
        .contains("nothing was changed");
    assertThat(fileDigests(path("t3"))).isEqualTo(newer);

    // The newer run first: the target goes back to what rbf-old wrote.
    assertThat(
            Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
                .run("rbf-new")
                .execute()
                .get(0)
                .rolledBack())
        .isTrue();
    assertThat(spark().read().format("delta").load(path("t3")).columns())
        .containsExactly("id", "v");
    // Then rbf-old itself, whose target goes.
    Rollback.Outcome old =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("rbf-old")
            .execute()
            .get(0);
    assertThat(old.rolledBack()).as(old.message()).isTrue();
    assertThat(fileDigests(path("t3"))).isEmpty();
  }

  @Test
  void anOverwrittenTargetIsNotRestoredOverAConsumersAppend() {
    spark().range(4).selectExpr("id", "id * 2 AS v").write().parquet(path("src5"));
    Settings settings = settings("rbf_results5");
    String base =
        "id: rewritten\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n"
            .formatted(path("src5"), path("t5"));
    assertThat(result(run(settings, specs("w.yaml", base), "rbf-w1"), "rewritten").status())
        .isEqualTo(Status.SUCCEEDED);
    DatasetResult overwrote =
        result(
            run(
                settings,
                specs("w.yaml", base + "transform: { add: { w: \"v + 1\" } }\n"),
                "rbf-w2"),
            "rewritten");
    assertThat(overwrote.targetPreviousVersion()).isEqualTo(0L);
    spark()
        .range(70, 72)
        .selectExpr("id", "id AS v", "id AS w")
        .write()
        .format("delta")
        .mode("append")
        .save(path("t5"));
    Map<String, String> before = fileDigests(path("t5"));

    Rollback.Outcome refused =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("rbf-w2")
            .execute()
            .get(0);
    assertThat(refused.rolledBack()).isFalse();
    assertThat(refused.message())
        .contains("received commits that this migration did not make: version 2 (WRITE at");
    assertThat(fileDigests(path("t5"))).isEqualTo(before);
    assertThat(spark().read().format("delta").load(path("t5")).count()).isEqualTo(6);
  }

  @Test
  void aRollbackTakesTheDatasetsLeaseAndLeavesADatasetInFlightAlone() throws Exception {
    spark().range(4).write().parquet(path("src4"));
    Settings settings = settings("rbf_results4");
    List<DatasetSpec> specs =
        specs(
            "l.yaml",
            "id: leased\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n"
                .formatted(path("src4"), path("t4")));
    assertThat(result(run(settings, specs, "rbf-4"), "leased").status())
        .isEqualTo(Status.SUCCEEDED);
    Map<String, String> before = fileDigests(path("t4"));
    // Another live run has just taken the dataset (this process stands in for it).
    Ledger ledger = ledger(settings);
    LedgerEntry head = ledger.head("leased");
    LeaseOwner other =
        new LeaseOwner(
            "rbf-other",
            LeaseOwner.current("x").host(),
            LeaseOwner.current("x").machine(),
            ProcessHandle.current().pid(),
            LeaseOwner.current("x").processStart());
    assertThat(
            ledger
                .claim(
                    head,
                    "leased",
                    head.specHash(),
                    other,
                    java.time.Duration.ofMinutes(10),
                    io.dsmigrate.job.ledger.HaltPoint.NONE)
                .current()
                .state())
        .isEqualTo(LedgerState.STARTED);

    Rollback.Outcome refused =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("rbf-4")
            .execute()
            .get(0);
    assertThat(refused.rolledBack()).isFalse();
    assertThat(refused.message()).contains("run rbf-other on").contains("nothing was changed");
    assertThat(fileDigests(path("t4"))).isEqualTo(before);
    assertThat(ledger.head("leased").owner().runId()).isEqualTo("rbf-other");
  }

  private Ledger ledger(Settings settings) {
    return Ledger.open(
        settings.ledger().directory(),
        settings.resultsDatabase(),
        spark().sessionState().newHadoopConf());
  }
}
