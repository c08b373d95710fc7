package io.dsmigrate.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leases between runs that overlap, and pausing a run and resuming it. */
class LeaseAndPauseTest extends JobTestBase {
  private final ExecutorService background = Executors.newCachedThreadPool();

  @BeforeAll
  static void legacyWarehouse() {
    spark().sql("CREATE DATABASE IF NOT EXISTS lease_legacy");
    spark()
        .range(40)
        .selectExpr("id", "concat('n', id) AS note")
        .write()
        .format("parquet")
        .saveAsTable("lease_legacy.orders");
    spark().range(1).coalesce(1).write().format("parquet").saveAsTable("lease_legacy.one");
    GateFunction.register(spark(), "lease_legacy");
  }

  @AfterEach
  void stopBackground() {
    Gate.open("gated");
    background.shutdownNow();
  }

  private static String spec(String id, String source, String target) {
    return "  - id: %s\n    source: { table: %s }\n    target: { table: %s }\n"
        .formatted(id, source, target);
  }

  /** A dataset whose rows wait at the gate "gated": its run holds it until the test opens it. */
  private static String gated(String database) {
    return spec("gated", "lease_legacy.one", database + ".gated")
        + "    transform:\n"
        + "      sql: \"SELECT * FROM source WHERE lease_legacy.gate_pass('gated') = 'gated'\"\n";
  }

  /** The gated dataset and "shared", which every run has, and one dataset of its own. */
  private List<DatasetSpec> overlapping(String own) {
    return specs(
        own + ".yaml",
        "datasets:\n"
            + gated("lease_new")
            + spec("shared", "lease_legacy.orders", "lease_new.shared")
            + spec(own, "lease_legacy.orders", "lease_new." + own));
  }

  @Test
  void twoRunsOnOverlappingSpecsNeverMigrateOneDatasetTwice() throws Exception {
    Settings settings =
        settings(
            "lease_results",
            "dsmigrate.ledger.lease-duration",
            "10s",
            "dsmigrate.ledger.heartbeat",
            "1s");
    List<DatasetSpec> first = overlapping("a_only");
    List<DatasetSpec> second = overlapping("b_only");
    Gate.close("gated");
    Future<FleetReport> runA = background.submit(() -> run(settings, first, "run-a"));
    Ledger ledger = ledgerOf(settings);
    awaitLedger(
        ledger,
        "gated",
        head -> head.state() == LedgerState.WRITING && head.owner().runId().equals("run-a"),
        runA);

    FleetReport b = run(settings, second, "run-b");
    Gate.open("gated");
    FleetReport a = runA.get(5, TimeUnit.MINUTES);

    DatasetResult heldByA = result(b, "gated");
    assertThat(heldByA.status()).isEqualTo(Status.SKIPPED);
    assertThat(heldByA.errorMessage())
        .startsWith("not migrated: leased by run run-a on ")
        .contains(" until ")
        .contains("which is migrating it now (it stands at WRITING)");
    assertThat(result(a, "gated").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(result(a, "a_only").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(result(b, "b_only").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(List.of(result(a, "shared").status(), result(b, "shared").status()))
        .containsExactlyInAnyOrder(Status.SUCCEEDED, Status.SKIPPED);

    Map<String, Long> succeeded = succeededRows("lease_results", "run_id IN ('run-a', 'run-b')");
    assertThat(succeeded)
        .as("every dataset was migrated exactly once")
        .isEqualTo(Map.of("gated", 1L, "shared", 1L, "a_only", 1L, "b_only", 1L));
    assertThat(spark().table("lease_new.gated").count()).isEqualTo(1);
    for (String table : List.of("shared", "a_only", "b_only")) {
      assertThat(spark().table("lease_new." + table).count()).isEqualTo(40);
    }
    assertThat(ledger.heads().values())
        .allSatisfy(
            head -> {
              assertThat(head.holdsLease()).as(head.describe()).isFalse();
              assertThat(head.state()).isEqualTo(LedgerState.SUCCEEDED);
            });
  }

  @Test
  void aRunThatWaitsForALeasedDatasetGoesOnOnceItsHolderIsDone() throws Exception {
    Settings holder =
        settings(
            "wait_results",
            "dsmigrate.ledger.lease-duration",
            "10s",
            "dsmigrate.ledger.heartbeat",
            "1s");
    Settings waiter =
        settings(
            "wait_results",
            "dsmigrate.ledger.lease-duration",
            "10s",
            "dsmigrate.ledger.heartbeat",
            "1s",
            "dsmigrate.ledger.when-leased",
            "wait");
    List<DatasetSpec> specs = specs("w.yaml", "datasets:\n" + gated("wait_new"));
    Gate.close("gated");
    Future<FleetReport> runA = background.submit(() -> run(holder, specs, "run-holder"));
    awaitLedger(
        ledgerOf(holder),
        "gated",
        head -> head.state() == LedgerState.WRITING && head.owner().runId().equals("run-holder"),
        runA);
    Future<FleetReport> runB = background.submit(() -> run(waiter, specs, "run-waiter"));
    // Give the waiter time to reach the dataset; it cannot finish while the holder holds it.
    Thread.sleep(3_000);
    assertThat(runB.isDone()).as("the waiting run waits").isFalse();
    Gate.open("gated");

    assertThat(result(runA.get(5, TimeUnit.MINUTES), "gated").status()).isEqualTo(Status.SUCCEEDED);
    DatasetResult waited = result(runB.get(5, TimeUnit.MINUTES), "gated");
    assertThat(waited.status()).isEqualTo(Status.SKIPPED);
    assertThat(waited.errorMessage())
        .isEqualTo("already migrated by run run-holder with the same spec");
    assertThat(succeededRows("wait_results", "true")).isEqualTo(Map.of("gated", 1L));
  }

  @Test
  void aPausedRunFinishesWhatIsInFlightRecordsTheRestPausedAndResumesWithTheSameRunId() {
    // The Spark path, one dataset at a time: the pause comes while the first is in flight. (The
    // agent path takes its datasets a group at a time; a pause holds the groups not yet taken.)
    Settings settings =
        settings(
            "pause_results",
            "dsmigrate.fleet.concurrency",
            "1",
            "dsmigrate.agent.enabled",
            "false");
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (int i = 1; i <= 4; i++) {
      yaml.append(spec("p" + i, "lease_legacy.orders", "pause_new.p" + i));
    }
    List<DatasetSpec> specs = specs("p.yaml", yaml.toString());
    PauseRequests pauses = pauses(settings);
    FleetReport paused = pausedAfterTheFirst(settings, specs, "run-p");
    assertThat(paused.counts()).isEqualTo(Map.of(Status.SUCCEEDED, 1, Status.PAUSED, 3));
    assertThat(paused.exitCode()).isEqualTo(FleetReport.PAUSED);
    assertThat(paused.paused())
        .allSatisfy(
            row -> {
              assertThat(row.errorMessage())
                  .isEqualTo(
                      "not started: run run-p is paused (requested by the test). Lift the pause"
                          + " with 'dsmigrate resume --run run-p', then run it again with"
                          + " --run-id run-p");
              assertThat(spark().catalog().tableExists(row.target())).isFalse();
            });

    FleetReport stillPaused = run(settings, specs, "run-p");
    assertThat(stillPaused.counts()).isEqualTo(Map.of(Status.PAUSED, 4));

    assertThat(pauses.lift("run-p")).isTrue();
    FleetReport resumed = run(settings, specs, "run-p");
    assertThat(resumed.counts()).isEqualTo(Map.of(Status.SUCCEEDED, 3, Status.SKIPPED, 1));
    assertThat(resumed.exitCode()).isZero();

    assertThat(succeededRows("pause_results", "run_id = 'run-p'"))
        .isEqualTo(Map.of("p1", 1L, "p2", 1L, "p3", 1L, "p4", 1L));
    assertThat(
            spark()
                .table("pause_results.migration_results")
                .where("status NOT IN ('SUCCEEDED', 'PAUSED', 'SKIPPED')")
                .count())
        .isZero();
    for (int i = 1; i <= 4; i++) {
      assertThat(spark().table("pause_new.p" + i).count()).isEqualTo(40);
    }
  }

  @Test
  void onTheAgentPathAPauseHoldsTheDatasetsNotTakenYetAndTheyResumeOnItToo() {
    // One dataset per agent task: a job of agents takes two per core, the driver takes the next
    // job while one runs. The pause comes with the first job's outcomes: the second job is in
    // flight and finishes, the rest are held.
    Settings settings = settings("apause_results", "dsmigrate.agent.chunk", "1");
    int perJob = 2 * spark().sparkContext().defaultParallelism();
    int count = 2 * perJob + 2;
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (int i = 1; i <= count; i++) {
      yaml.append(spec("ap" + i, "lease_legacy.orders", "apause_new.ap" + i));
    }
    List<DatasetSpec> specs = specs("ap.yaml", yaml.toString());
    PauseRequests pauses = pauses(settings);
    FleetReport paused = pausedAfterTheFirst(settings, specs, "run-ap");
    assertThat(paused.counts()).isEqualTo(Map.of(Status.SUCCEEDED, 2 * perJob, Status.PAUSED, 2));
    assertThat(paused.byAgents()).isEqualTo(2 * perJob);
    assertThat(paused.exitCode()).isEqualTo(FleetReport.PAUSED);
    assertThat(paused.paused())
        .allSatisfy(row -> assertThat(spark().catalog().tableExists(row.target())).isFalse());

    assertThat(pauses.lift("run-ap")).isTrue();
    FleetReport resumed = run(settings, specs, "run-ap");
    assertThat(resumed.counts()).isEqualTo(Map.of(Status.SUCCEEDED, 2, Status.SKIPPED, 2 * perJob));
    assertThat(resumed.byAgents()).isEqualTo(2);
    Map<String, Long> once = new java.util.HashMap<>();
    for (int i = 1; i <= count; i++) {
      once.put("ap" + i, 1L);
      assertThat(spark().table("apause_new.ap" + i).count()).isEqualTo(40);
    }
    assertThat(succeededRows("apause_results", "run_id = 'run-ap'")).isEqualTo(once);
  }

  private static PauseRequests pauses(Settings settings) {
    return PauseRequests.in(
        settings.ledger().controlDirectory(), spark().sessionState().newHadoopConf());
  }

  /** Runs {@code specs} as run {@code runId}, asking for a pause as its first dataset finishes. */
  private static FleetReport pausedAfterTheFirst(
      Settings settings, List<DatasetSpec> specs, String runId) {
    PauseRequests pauses = pauses(settings);
    Plan plan = Planner.of(spark()).plan(specs);
    return Fleet.of(spark(), settings)
        .runId(runId)
        .plan(plan.planId(), 0)
        .listener(
            (result, done, total) -> {
              if (done == 1) {
                pauses.request(runId, "requested by the test");
              }
            })
        .execute(plan.datasets());
  }

  private static Ledger ledgerOf(Settings settings) {
    return Ledger.open(
        settings.ledger().directory(),
        settings.resultsDatabase(),
        spark().sessionState().newHadoopConf());
  }

  /** Waits (up to three minutes) until the dataset's ledger shows what {@code reached} wants. */
  private static void awaitLedger(
      Ledger ledger, String datasetId, Predicate<LedgerEntry> reached, Future<?> run)
      throws Exception {
    long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(3);
    while (true) {
      LedgerEntry head = ledger.head(datasetId);
      if (head != null && reached.test(head)) {
        return;
      }
      if (run.isDone()) {
        run.get();
        throw new AssertionError("the run ended before " + datasetId + " got there: " + head);
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(datasetId + " did not get there; the ledger shows " + head);
      }
      Thread.sleep(100);
    }
  }

  private static Map<String, Long> succeededRows(String database, String condition) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    spark()
        .table(database + ".migration_results")
        .where("status = 'SUCCEEDED' AND " + condition)
        .groupBy("dataset_id")
        .count()
        .collectAsList()
        .forEach(row -> counts.put(row.getString(0), row.getLong(1)));
    return counts;
  }
}
