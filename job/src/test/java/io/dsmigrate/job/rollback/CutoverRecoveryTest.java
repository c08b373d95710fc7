package io.dsmigrate.job.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.LeftBehind;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run killed in the middle of a cut-over: the rerun undoes what it left, then finishes it. */
class CutoverRecoveryTest extends JobTestBase {
  @Test
  void aCutOverLeftHalfDoneIsUndoneValidatedAgainAndFinished() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS cr_legacy");
    spark()
        .range(6)
        .selectExpr("id", "id * 3 AS v")
        .write()
        .format("parquet")
        .saveAsTable("cr_legacy.t");
    List<String> oldRows = sortedRows(spark().table("cr_legacy.t"));
    Settings settings =
        settings("cr_results", "dsmigrate.cutover.backup-name", "{table}__bak_{run}");
    List<DatasetSpec> specs =
        specs(
            "cr.yaml",
            """
            id: t
            source: { table: cr_legacy.t }
            target: { table: cr_new.t }
            transform: { add: { w: "v + 1" } }
            cutover: true
            """);
    DatasetResult first = result(run(settings, specs, "run-cr"), "t");
    assertThat(first.status()).as(first.errorMessage()).isEqualTo(Status.SUCCEEDED);

    // As if run-cr had been killed after renaming cr_legacy.t to its backup name, before pointing
    // the name at the target: the ledger shows CUTTING_OVER, and no results row was written.
    spark().sql("DROP TABLE cr_legacy.t");
    spark().sql("DELETE FROM cr_results.migration_results WHERE run_id = 'run-cr'");
    Ledger ledger =
        Ledger.open(
            settings.ledger().directory(),
            settings.resultsDatabase(),
            spark().sessionState().newHadoopConf());
    LedgerEntry head = ledger.head("t");
    assertThat(head.progress().backupTable()).isEqualTo("cr_legacy.t__bak_run_cr");
    assertThat(
            LeftBehind.write(
                ledger, head, LeftBehind.goneOwner("run-cr"), LedgerState.CUTTING_OVER, null))
        .isTrue();

    DatasetResult rerun = result(run(settings, specs, "run-cr"), "t");
    assertThat(rerun.status()).as(rerun.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(rerun.backupTable()).isEqualTo("cr_legacy.t__bak_run_cr");
    assertThat(sortedRows(spark().newSession().sql("SELECT id, v, w FROM cr_legacy.t")))
        .isEqualTo(sortedRows(spark().newSession().table("cr_new.t")))
        .hasSize(6);
    assertThat(sortedRows(spark().newSession().table("cr_legacy.t__bak_run_cr")))
        .isEqualTo(oldRows);
    assertThat(ledger.history("t"))
        .extracting(LedgerEntry::state, LedgerEntry::note)
        .containsSubsequence(
            tuple(LedgerState.CUTTING_OVER, null),
            tuple(LedgerState.UNDOING, "undoing the cut-over left unfinished"),
            tuple(LedgerState.WRITTEN, "cut-over undone; validating again"),
            tuple(LedgerState.CUTTING_OVER, null),
            tuple(LedgerState.SUCCEEDED, null));
  }
}
