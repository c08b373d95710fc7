package io.dsmigrate.job.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.assertj.core.groups.Tuple.tuple;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Rollback;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.File;
import java.net.URI;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Cut-over, its rollback and dropping backups, end to end through the metastore. */
class CutoverTest extends JobTestBase {
  private static final String[] BACKUP_BY_RUN = {
    "dsmigrate.cutover.backup-name", "{table}__bak_{run}"
  };

  /** What a consumer that reads the table by its name gets, in a session of its own. */
  private static List<String> consumerReads(String sql) {
    SparkSession consumer = spark().newSession();
    return sortedRows(consumer.sql(sql));
  }

  private static boolean exists(String table) {
    return spark().newSession().catalog().tableExists(table);
  }

  private static String location(String table) {
    return spark().newSession().sql("DESCRIBE DETAIL " + table).first().getAs("location");
  }

  @Test
  void consumersOfTheTableNameReadTheNewDataAfterCutOverAndTheOldDataAfterRollback() {
    spark().sql("CREATE DATABASE IF NOT EXISTS co_legacy");
    spark()
        .sql("CREATE TABLE co_legacy.orders (id INT, name STRING, amount INT) STORED AS PARQUET");
    spark()
        .sql("INSERT INTO co_legacy.orders VALUES (1, 'ann', 10), (2, 'bob', 20), (3, NULL, 30)");
    TableState before = state("co_legacy.orders");
    String query = "SELECT id, name, amount FROM co_legacy.orders";
    List<String> oldRows = consumerReads(query);
    assertThat(oldRows).containsExactly("[1,ann,10]", "[2,bob,20]", "[3,null,30]");

    Settings settings = settings("co_results", BACKUP_BY_RUN);
    List<DatasetSpec> specs =
        specs(
            "cutover.yaml",
            """
            id: orders
            source: { table: co_legacy.orders }
            target: { table: co_new.orders }
            transform:
              sql: "SELECT id, upper(name) AS name, amount * 2 AS amount FROM source"
            cutover: true
            """);
    DatasetResult cutOver = result(run(settings, specs, "run-co-1"), "orders");
    assertThat(cutOver.status()).as(cutOver.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(cutOver.backupTable()).isEqualTo("co_legacy.orders__bak_run_co_1");

    assertThat(consumerReads(query)).containsExactly("[1,ANN,20]", "[2,BOB,40]", "[3,null,60]");
    assertThat(consumerReads("SELECT * FROM co_new.orders")).isEqualTo(consumerReads(query));
    assertThat(consumerReads("SELECT * FROM co_legacy.orders__bak_run_co_1")).isEqualTo(oldRows);
    TableState cutOverState = state("co_legacy.orders");
    assertThat(cutOverState.type()).isEqualTo("EXTERNAL");
    assertThat(cutOverState.provider()).isEqualTo("delta");
    assertThat(location("co_legacy.orders")).isEqualTo(location("co_new.orders"));
    assertThat(
            spark()
                .sql(
                    "SELECT backup_table FROM co_results.migration_results WHERE run_id = 'run-co-1'")
                .first()
                .getString(0))
        .isEqualTo("co_legacy.orders__bak_run_co_1");

    // The same spec again is skipped; a changed one is refused until the cut-over is rolled back.
    assertThat(result(run(settings, specs, "run-co-1"), "orders").status())
        .isEqualTo(Status.SKIPPED);
    DatasetResult changed =
        result(
            run(
                settings,
                specs(
                    "changed.yaml",
                    """
                    id: orders
                    source: { table: co_legacy.orders }
                    target: { table: co_new.orders }
                    cutover: true
                    """),
                "run-co-2"),
            "orders");
    assertThat(changed.status()).isEqualTo(Status.FAILED);
    assertThat(changed.errorMessage())
        .startsWith(
            "Cannot migrate orders: run run-co-1 cut its source co_legacy.orders over to co_new.orders")
        .contains("dsmigrate rollback --run run-co-1 --dataset orders");
    assertThat(consumerReads(query)).containsExactly("[1,ANN,20]", "[2,BOB,40]", "[3,null,60]");

    List<Rollback.Outcome> outcomes =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-co-1")
            .execute();
    assertThat(outcomes)
        .singleElement()
        .satisfies(o -> assertThat(o.rolledBack()).as(o.message()).isTrue());
    assertThat(consumerReads(query)).isEqualTo(oldRows);
    assertThat(state("co_legacy.orders")).isEqualTo(before);
    assertThat(exists("co_legacy.orders__bak_run_co_1")).isFalse();
    assertThat(exists("co_new.orders")).isFalse();
    assertThat(new File(URI.create(cutOver.targetLocation()))).doesNotExist();
    assertThat(
            ResultsTable.in(spark(), "co_results").latestOfRun("run-co-1").get("orders").status())
        .isEqualTo(Status.ROLLED_BACK);
  }

  @Test
  void aBackupNameThatIsTakenFailsTheDatasetAndLeavesTheTableAsItWas() {
    spark().sql("CREATE DATABASE IF NOT EXISTS co_taken");
    spark()
        .range(4)
        .selectExpr("id", "id * 10 AS v")
        .write()
        .format("delta")
        .saveAsTable("co_taken.t");
    spark().range(1).write().format("parquet").saveAsTable("co_taken.t__bak_run_taken");
    TableState before = state("co_taken.t");
    TableState other = state("co_taken.t__bak_run_taken");

    DatasetResult failed =
        result(
            run(
                settings("co_taken_results", BACKUP_BY_RUN),
                specs(
                    "taken.yaml",
                    """
                    id: t
                    source: { table: co_taken.t }
                    target: { table: co_taken_new.t }
                    transform: { add: { migrated: "true" } }
                    cutover: true
                    """),
                "run-taken"),
            "t");
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.errorClass()).isEqualTo("TARGET_EXISTS");
    assertThat(failed.errorMessage())
        .isEqualTo(
            "Cannot cut over t: the backup name co_taken.t__bak_run_taken for co_taken.t is taken by"
                + " another table; co_taken.t was not changed. Drop or rename"
                + " co_taken.t__bak_run_taken, or change dsmigrate.cutover.backup-name (now"
                + " {table}__bak_{run}; {run} keeps the backups of different runs apart)"
                + " (changes undone)");
    assertThat(failed.backupTable()).isNull();
    assertThat(state("co_taken.t")).isEqualTo(before);
    assertThat(state("co_taken.t__bak_run_taken")).isEqualTo(other);
    assertThat(exists("co_taken_new.t")).isFalse();
    assertThat(new File(URI.create(failed.targetLocation()))).doesNotExist();
  }

  @Test
  void undoFindsTheTableAsTheCutOverLeftItAndGivesItItsOldData() {
    spark().sql("CREATE DATABASE IF NOT EXISTS co_undo");
    spark().range(3).write().format("parquet").saveAsTable("co_undo.t");
    spark().range(5).write().format("delta").save(path("target"));
    TableState before = state("co_undo.t");
    CutOver cutOver = CutOver.of(spark(), "t", "co_undo.t", "co_undo.t__bak", path("target"));

    // Not started: nothing to undo.
    cutOver.undo();
    assertThat(state("co_undo.t")).isEqualTo(before);
    // Renamed, not yet pointed at the target (a driver killed in between).
    spark().sql("ALTER TABLE co_undo.t RENAME TO co_undo.t__bak");
    cutOver.undo();
    assertThat(state("co_undo.t")).isEqualTo(before);
    assertThat(exists("co_undo.t__bak")).isFalse();
    // Done.
    cutOver.perform();
    assertThat(cutOver.pointsAtTarget()).isTrue();
    assertThat(consumerReads("SELECT count(*) FROM co_undo.t")).containsExactly("[5]");
    cutOver.undo();
    assertThat(state("co_undo.t")).isEqualTo(before);
    assertThat(exists("co_undo.t__bak")).isFalse();
    assertThat(spark().read().format("delta").load(path("target")).count())
        .as("the target's files stay")
        .isEqualTo(5);
    // Done, but the backup is gone: the old data cannot come back.
    cutOver.perform();
    spark().sql("DROP TABLE co_undo.t__bak");
    assertThat(catchThrowable(cutOver::undo))
        .hasMessageStartingWith(
            "Cannot undo the cut-over of t: its backup co_undo.t__bak does not exist");
  }

  @Test
  void dropBackupsKeepsBackupsThatAreStillReadDropsTheOthersAndRollbackThenSaysWhyItCannot() {
    spark().sql("CREATE DATABASE IF NOT EXISTS co_drop");
    spark().range(3).write().format("delta").saveAsTable("co_drop.cloned");
    spark().range(4).write().format("parquet").saveAsTable("co_drop.free");
    spark().range(5).write().format("parquet").saveAsTable("co_drop.shared");
    Settings settings = settings("co_drop_results", BACKUP_BY_RUN);
    FleetReport report =
        run(
            settings,
            specs(
                "drop.yaml",
                """
                datasets:
                  - { id: cloned, source: { table: co_drop.cloned }, target: { table: co_drop_new.cloned }, cutover: true }
                  - { id: free, source: { table: co_drop.free }, target: { table: co_drop_new.free }, cutover: true }
                  - { id: shared, source: { table: co_drop.shared }, target: { table: co_drop_new.shared }, cutover: true }
                """),
            "run-drop");
    assertThat(report.results())
        .allSatisfy(r -> assertThat(r.status()).as(r.errorMessage()).isEqualTo(Status.SUCCEEDED));
    spark().sql("CREATE DATABASE IF NOT EXISTS co_drop_users");
    spark().sql("CREATE TABLE co_drop_users.clone SHALLOW CLONE co_drop.cloned__bak_run_drop");
    String sharedLocation =
        spark()
            .sql("DESCRIBE TABLE EXTENDED co_drop.shared__bak_run_drop")
            .where("col_name = 'Location'")
            .first()
            .getString(1);
    spark()
        .sql(
            "CREATE TABLE co_drop_users.same_files (id BIGINT) USING parquet LOCATION '"
                + sharedLocation
                + "'");
    spark().sql("CREATE VIEW co_drop_users.old_ids AS SELECT id FROM co_drop.shared__bak_run_drop");

    List<DropBackups.Outcome> dry =
        DropBackups.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-drop")
            .dryRun(true)
            .execute();
    assertThat(dry)
        .extracting(DropBackups.Outcome::datasetId, DropBackups.Outcome::action)
        .containsExactlyInAnyOrder(
            tuple("cloned", DropBackups.Action.REFUSED),
            tuple("free", DropBackups.Action.DROPPABLE),
            tuple("shared", DropBackups.Action.REFUSED));
    assertThat(exists("co_drop.free__bak_run_drop")).isTrue();

    List<DropBackups.Outcome> outcomes =
        DropBackups.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-drop")
            .execute();
    DropBackups.Outcome cloned = outcome(outcomes, "cloned");
    assertThat(cloned.action()).isEqualTo(DropBackups.Action.REFUSED);
    assertThat(cloned.readers())
        .singleElement(STRING)
        .startsWith("Delta table co_drop_users.clone reads its files (e.g. file:")
        .contains("as a shallow clone is. Drop it");
    DropBackups.Outcome shared = outcome(outcomes, "shared");
    assertThat(shared.action()).isEqualTo(DropBackups.Action.REFUSED);
    assertThat(shared.readers())
        .containsExactlyInAnyOrder(
            "table co_drop_users.same_files is located inside it ("
                + sharedLocation
                + "): dropping the backup would delete its files. Move or drop"
                + " co_drop_users.same_files",
            "view co_drop_users.old_ids names it in its SQL: change or drop the view");
    DropBackups.Outcome free = outcome(outcomes, "free");
    assertThat(free.action()).isEqualTo(DropBackups.Action.DROPPED);
    assertThat(free.message()).isEqualTo("dropped, with its files");
    assertThat(exists("co_drop.free__bak_run_drop")).isFalse();
    assertThat(exists("co_drop.cloned__bak_run_drop")).isTrue();
    assertThat(exists("co_drop.shared__bak_run_drop")).isTrue();
    assertThat(consumerReads("SELECT count(*) FROM co_drop_users.clone")).containsExactly("[3]");

    List<Rollback.Outcome> rollback =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-drop")
            .dataset("free")
            .execute();
    assertThat(rollback).singleElement().satisfies(o -> assertThat(o.rolledBack()).isFalse());
    assertThat(rollback.get(0).message())
        .startsWith(
            "rollback failed: its backup co_drop.free__bak_run_drop (the old co_drop.free) was"
                + " dropped on ")
        .contains("by dsmigrate drop-backups, so it cannot be rolled back: the old data is gone.")
        .endsWith("; nothing was changed");
    assertThat(consumerReads("SELECT count(*) FROM co_drop.free")).containsExactly("[4]");
    assertThat(location("co_drop.free")).isEqualTo(location("co_drop_new.free"));

    // Once its reader is gone, a backup can be dropped.
    spark().sql("DROP TABLE co_drop_users.clone");
    assertThat(
            DropBackups.of(spark(), settings.resultsDatabase(), settings.ledger())
                .run("run-drop")
                .dataset("cloned")
                .execute())
        .singleElement()
        .satisfies(o -> assertThat(o.action()).isEqualTo(DropBackups.Action.DROPPED));
    assertThat(consumerReads("SELECT count(*) FROM co_drop.cloned")).containsExactly("[3]");
  }

  @Test
  void aResultsTableOfAnEarlierVersionGetsTheWaveBackupAndOwnerColumns() {
    spark().sql("CREATE DATABASE IF NOT EXISTS co_old_results");
    spark()
        .sql(
            "CREATE TABLE co_old_results.migration_results ("
                + ResultsTable.COLUMNS.replace(", wave INT, backup_table STRING, owner STRING", "")
                + ") USING delta");
    ResultsTable.in(spark(), "co_old_results");
    assertThat(spark().table("co_old_results.migration_results").columns())
        .endsWith("queries", "wave", "backup_table", "owner");
  }

  private static DropBackups.Outcome outcome(List<DropBackups.Outcome> outcomes, String id) {
    return outcomes.stream().filter(o -> o.datasetId().equals(id)).findFirst().orElseThrow();
  }
}
