package io.dsmigrate.job.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code drop-backups} drops only a backup that the dataset's ledger shows dsmigrate kept, and only
 * while the table under that name is still that backup: a results row naming a table is not proof.
 */
class DropBackupsProofTest extends JobTestBase {
  @Test
  void aResultsRowNamingATableAsABackupDropsNothing() {
    spark().sql("CREATE DATABASE IF NOT EXISTS dbp_other");
    spark().range(6).write().format("parquet").saveAsTable("dbp_other.precious");
    TableState before = state("dbp_other.precious");
    Settings settings = settings("dbp_results1");
    ResultsTable results = ResultsTable.in(spark(), settings.resultsDatabase());
    // A row that says a cut-over kept dbp_other.precious as its backup (written by hand, or by a
    // spec that wrote into the results table), with no ledger behind it.
    DatasetResult forged = ordersRow("forged", Status.SUCCEEDED, 1, "dbp_other.precious");
    results.append(List.of(forged));

    List<DropBackups.Outcome> outcomes =
        DropBackups.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("forged")
            .execute();
    assertThat(outcomes).hasSize(1);
    assertThat(outcomes.get(0).action()).isEqualTo(DropBackups.Action.REFUSED);
    assertThat(outcomes.get(0).message())
        .contains("dsmigrate cannot prove dbp_other.precious is the backup it made")
        .contains("ledger does not show run forged");
    assertThat(state("dbp_other.precious")).isEqualTo(before);
  }

  @Test
  void aTableThatTookTheBackupsNameIsNotDropped() {
    spark().sql("CREATE DATABASE IF NOT EXISTS dbp_legacy");
    spark().sql("CREATE DATABASE IF NOT EXISTS dbp_sales");
    spark()
        .range(5)
        .selectExpr("id", "CAST(id AS INT) AS qty")
        .write()
        .format("parquet")
        .saveAsTable("dbp_legacy.orders");
    Settings settings = settings("dbp_results2");
    DatasetResult cut =
        result(
            run(
                settings,
                specs(
                    "c.yaml",
                    """
                    id: orders
                    source: { table: dbp_legacy.orders }
                    target: { table: dbp_sales.orders }
                    cutover: true
                    """),
                "dbp-run"),
            "orders");
    assertThat(cut.status()).as(cut.errorMessage()).isEqualTo(Status.SUCCEEDED);
    String backup = cut.backupTable();
    // Someone replaces the backup with a table of their own under the same name.
    spark().sql("DROP TABLE " + backup);
    spark().range(3).selectExpr("id AS other").write().format("parquet").saveAsTable(backup);
    TableState theirs = state(backup);

    DropBackups.Outcome refused =
        DropBackups.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("dbp-run")
            .execute()
            .get(0);
    assertThat(refused.action()).isEqualTo(DropBackups.Action.REFUSED);
    assertThat(refused.message()).contains("is no longer the table that run dbp-run kept");
    assertThat(state(backup)).isEqualTo(theirs);
  }
}
