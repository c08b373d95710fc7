package io.dsmigrate.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;

/**
 * An undo that fails is never reported as done: the dataset is recorded ROLLBACK_FAILED, its ledger
 * stays UNDOING, and every later run finishes the undo before anything else.
 */
class FailedUndoTest extends JobTestBase {
  @Test
  void anUndoRefusedOverAConsumersWriteStaysUndoingUntilTheNextRunCanFinishIt() throws Exception {
    String gate = GateFunction.register(spark(), "undo_legacy");
    spark().range(5).selectExpr("id", "id * 2 AS v").write().parquet(path("src"));
    Settings settings = settings("undo_results");
    // The consumer query differs on purpose, so the dataset fails after its target is written;
    // the gate holds it there while a consumer writes into the new target.
    String failing =
        """
        id: held
        source: { path: "%s" }
        target: { path: "%s" }
        validation:
          queries:
            - old: "SELECT count(*) FROM dataset WHERE %s('undo-gate') = 'undo-gate'"
              new: "SELECT count(*) + 1 FROM dataset"
        """
            .formatted(path("src"), path("target"), gate);
    Gate.close("undo-gate");
    CompletableFuture<FleetReport> running =
        CompletableFuture.supplyAsync(() -> run(settings, specs("held.yaml", failing), "undo-1"));
    Ledger ledger =
        Ledger.open(
            settings.ledger().directory(),
            settings.resultsDatabase(),
            spark().sessionState().newHadoopConf());
    long waitUntil = System.currentTimeMillis() + 120_000;
    while (ledger.head("held") == null || ledger.head("held").state() != LedgerState.WRITTEN) {
      assertThat(System.currentTimeMillis()).as("the target is written").isLessThan(waitUntil);
      Thread.sleep(100);
    }
    spark()
        .range(90, 92)
        .selectExpr("id", "id AS v")
        .write()
        .format("delta")
        .mode("append")
        .save(path("target"));
    Map<String, String> withTheirRows = fileDigests(path("target"));
    Gate.open("undo-gate");

    DatasetResult first = result(running.get(5, TimeUnit.MINUTES), "held");
    assertThat(first.status()).isEqualTo(Status.FAILED);
    assertThat(first.errorClass()).isEqualTo(ErrorClass.ROLLBACK_FAILED.name());
    assertThat(first.errorMessage())
        .contains("consumer queries give other results")
        .contains("undoing its changes failed too")
        .contains("received commits that this migration did not make: version 1");
    assertThat(ledger.head("held").state()).isEqualTo(LedgerState.UNDOING);
    assertThat(fileDigests(path("target"))).isEqualTo(withTheirRows);

    // The next run undoes first: still refused, so it migrates nothing and says so again.
    DatasetResult second = result(run(settings, specs("held.yaml", failing), "undo-2"), "held");
    assertThat(second.errorClass()).isEqualTo(ErrorClass.ROLLBACK_FAILED.name());
    assertThat(second.errorMessage())
        .contains("stopped at UNDOING and undoing what it left failed");
    assertThat(ledger.head("held").state()).isEqualTo(LedgerState.UNDOING);
    assertThat(fileDigests(path("target"))).isEqualTo(withTheirRows);

    // The target's owner moves their rows away; the next run finishes the undo, then migrates.
    FileUtils.deleteDirectory(Path.of(path("target")).toFile());
    String passing =
        "id: held\nsource: { path: \"%s\" }\ntarget: { path: \"%s\" }\n"
            .formatted(path("src"), path("target"));
    DatasetResult third = result(run(settings, specs("held.yaml", passing), "undo-3"), "held");
    assertThat(third.status()).as(third.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(ledger.head("held").state()).isEqualTo(LedgerState.SUCCEEDED);
    assertThat(spark().read().format("delta").load(path("target")).count()).isEqualTo(5);
    assertThat(Files.exists(Path.of(path("target"), "_delta_log"))).isTrue();
  }
}
