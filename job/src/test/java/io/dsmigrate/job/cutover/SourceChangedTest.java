package io.dsmigrate.job.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.fleet.Gate;
import io.dsmigrate.job.fleet.GateFunction;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import java.io.File;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A source written to after it was read and before the cut-over: the cut-over would give its name
 * to a target that lacks the new data. The dataset fails with SOURCE_CHANGED and everything is
 * undone: the source keeps its name and all its rows, the target and any backup are gone.
 *
 * <p>The write happens while the run validates the written target: a consumer query waits at a
 * {@link Gate} until the test has written to the source.
 */
class SourceChangedTest extends JobTestBase {
  private final ExecutorService background = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    background.shutdownNow();
  }

  /**
   * Migrates {@code source} to {@code sc_new.<id>} with a cut-over; once the target is written (the
   * ledger shows WRITTEN) and validation waits at the gate, runs {@code write} against the source,
   * then lets the run go on to the cut-over.
   */
  private DatasetResult migrateWritingInBetween(String id, String source, Runnable write)
      throws Exception {
    String gate = GateFunction.register(spark(), "sc_legacy");
    Settings settings =
        settings("sc_results", "dsmigrate.cutover.backup-name", "{table}__bak_{run}");
    var specs =
        specs(
            id + ".yaml",
            """
            id: %s
            source: { table: %s }
            target: { table: sc_new.%s }
            validation:
              queries:
                - "SELECT count(*) > 0 AS present FROM dataset WHERE %s('%s') = '%s'"
            cutover: true
            """
                .formatted(id, source, id, gate, id, id));
    Gate.close(id);
    Future<FleetReport> run = background.submit(() -> run(settings, specs, "run-" + id));
    try {
      Ledger ledger =
          Ledger.open(
              settings.ledger().directory(),
              settings.resultsDatabase(),
              spark().sessionState().newHadoopConf());
      long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(3);
      while (true) {
        LedgerEntry head = ledger.head(id);
        if (head != null && head.state() == LedgerState.WRITTEN) {
          break;
        }
        if (run.isDone()) {
          throw new AssertionError("the run ended before the target was written: " + run.get());
        }
        assertThat(System.currentTimeMillis()).as("the target is written").isLessThan(deadline);
        Thread.sleep(100);
      }
      assertThat(spark().catalog().tableExists("sc_new." + id)).isTrue();
      write.run();
    } finally {
      Gate.open(id);
    }
    return result(run.get(5, TimeUnit.MINUTES), id);
  }

  private static void assertUndone(
      DatasetResult result, String id, String source, String changed, List<String> allRows) {
    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.errorClass())
        .as(result.errorMessage())
        .isEqualTo(ErrorClass.SOURCE_CHANGED.name());
    assertThat(result.errorMessage())
        .startsWith("Cannot cut over " + id + ": source " + source + " changed after it was read")
        .contains(changed)
        .contains("Run again: the next run migrates the new data")
        .endsWith("(changes undone)");
    assertThat(result.backupTable()).isNull();
    assertThat(sortedRows(spark().newSession().table(source))).isEqualTo(allRows);
    assertThat(spark().newSession().catalog().tableExists("sc_new." + id)).isFalse();
    assertThat(new File(URI.create(result.targetLocation()))).doesNotExist();
    String table = source.substring(source.indexOf('.') + 1);
    assertThat(
            spark().newSession().sql("SHOW TABLES IN sc_legacy LIKE '" + table + "__bak*'").count())
        .isZero();
  }

  @Test
  void aDeltaSourceCommittedToBeforeTheCutOverIsNotCutOver() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS sc_legacy");
    spark().sql("CREATE TABLE sc_legacy.delta_orders (id INT, amount INT) USING delta");
    spark().sql("INSERT INTO sc_legacy.delta_orders VALUES (1, 10), (2, 20)");
    long before = deltaVersion("sc_legacy.delta_orders");

    DatasetResult result =
        migrateWritingInBetween(
            "delta_orders",
            "sc_legacy.delta_orders",
            () -> spark().sql("INSERT INTO sc_legacy.delta_orders VALUES (3, 30)"));

    assertUndone(
        result,
        "delta_orders",
        "sc_legacy.delta_orders",
        "its Delta version went from " + before + " to " + (before + 1),
        List.of("[1,10]", "[2,20]", "[3,30]"));
    assertThat(state("sc_legacy.delta_orders").type()).isEqualTo("MANAGED");
  }

  @Test
  void aHiveSourceInsertedIntoBeforeTheCutOverIsNotCutOver() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS sc_legacy");
    spark()
        .sql(
            "CREATE TABLE sc_legacy.hive_orders (id INT, amount INT) PARTITIONED BY (dt STRING)"
                + " STORED AS PARQUET");
    spark().sql("INSERT INTO sc_legacy.hive_orders PARTITION (dt = 'a') VALUES (1, 10), (2, 20)");

    DatasetResult result =
        migrateWritingInBetween(
            "hive_orders",
            "sc_legacy.hive_orders",
            () ->
                spark()
                    .sql("INSERT INTO sc_legacy.hive_orders PARTITION (dt = 'a') VALUES (3, 30)"));

    assertUndone(
        result,
        "hive_orders",
        "sc_legacy.hive_orders",
        "files added: ",
        List.of("[1,10,a]", "[2,20,a]", "[3,30,a]"));
    assertThat(state("sc_legacy.hive_orders").provider()).isEqualTo("hive");
  }

  @Test
  void aHiveSourceWithAPartitionAddedBeforeTheCutOverIsNotCutOver() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS sc_legacy");
    spark()
        .sql(
            "CREATE TABLE sc_legacy.hive_days (id INT, amount INT) PARTITIONED BY (dt STRING)"
                + " STORED AS PARQUET");
    spark().sql("INSERT INTO sc_legacy.hive_days PARTITION (dt = 'a') VALUES (1, 10), (2, 20)");
    String elsewhere = path("hive_days_b");
    spark().sql("SELECT 4 AS id, 40 AS amount").write().parquet(elsewhere);

    DatasetResult result =
        migrateWritingInBetween(
            "hive_days",
            "sc_legacy.hive_days",
            () ->
                spark()
                    .sql(
                        "ALTER TABLE sc_legacy.hive_days ADD PARTITION (dt = 'b') LOCATION '"
                            + elsewhere
                            + "'"));

    assertUndone(
        result,
        "hive_days",
        "sc_legacy.hive_days",
        "partitions added: dt=b at file:" + elsewhere,
        List.of("[1,10,a]", "[2,20,a]", "[4,40,b]"));
    assertThat(spark().newSession().sql("SHOW PARTITIONS sc_legacy.hive_days").count())
        .isEqualTo(2);
  }
}
