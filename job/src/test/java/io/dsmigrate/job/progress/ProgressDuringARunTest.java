package io.dsmigrate.job.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.fleet.Gate;
import io.dsmigrate.job.fleet.GateFunction;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * While a run waits on a dataset that takes long, the results table already holds the rows of the
 * datasets that finished (committed by the timer, though the batch is far from full), and the
 * progress read from the ledger and the run's record shows the slow dataset in flight at its step.
 */
class ProgressDuringARunTest extends JobTestBase {
  private static final String RUN = "run-progress";

  @Test
  void rowsAreCommittedByTheTimerAndTheDatasetInFlightShowsWithItsStep() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS progress_legacy");
    spark().range(3).write().format("parquet").saveAsTable("progress_legacy.slow");
    spark().range(5).write().format("parquet").saveAsTable("progress_legacy.quick");
    GateFunction.register(spark(), "progress_legacy");
    Settings settings =
        settings(
            "progress_results",
            "dsmigrate.fleet.results-batch",
            "100",
            "dsmigrate.fleet.results-interval",
            "1s",
            "dsmigrate.progress.interval",
            "1s");
    var plan =
        Planner.of(spark())
            .pilot(0)
            .plan(
                specs(
                    "progress.yaml",
                    """
                    datasets:
                      - id: slow
                        source: { table: progress_legacy.slow }
                        target: { table: progress_new.slow }
                        transform:
                          sql: "SELECT * FROM source WHERE progress_legacy.gate_pass('progress') = 'progress'"
                      - id: quick
                        source: { table: progress_legacy.quick }
                        target: { table: progress_new.quick }
                    """));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecutorService runner = Executors.newSingleThreadExecutor();
    RunWatch watch =
        RunWatch.open(
            settings.ledger(),
            "progress_results",
            spark().sparkContext().hadoopConfiguration(),
            Duration.ofSeconds(1));
    Gate.close("progress");
    Future<FleetReport> run;
    try {
      run =
          runner.submit(
              () ->
                  JobRunner.run(
                      spark(),
                      settings,
                      plan,
                      JobRunner.Options.of(RUN),
                      new PrintStream(out, true, StandardCharsets.UTF_8)));

      eventually(
          () -> {
            try {
              return spark()
                      .table("progress_results.migration_results")
                      .where("run_id = '" + RUN + "' AND dataset_id = 'quick'")
                      .count()
                  == 1;
            } catch (Exception notThereYet) { // AnalysisException until the first row
              return false;
            }
          });
      eventually(
          () -> {
            RunProgress progress = watch.read(RUN, System.currentTimeMillis());
            return progress.done().equals(Map.of(Status.SUCCEEDED, 1))
                && progress.inFlight().size() == 1
                && progress.inFlight().get(0).datasetId().equals("slow")
                && progress.inFlight().get(0).step() == LedgerState.WRITING;
          });
      RunProgress held = watch.read(RUN, System.currentTimeMillis());
      assertThat(held.liveness()).isEqualTo(RunProgress.Liveness.RUNNING);
      assertThat(held.total()).isEqualTo(2);
      assertThat(run.isDone()).as("the slow dataset holds the run").isFalse();
    } finally {
      Gate.open("progress");
    }
    FleetReport report = run.get(5, TimeUnit.MINUTES);
    runner.shutdown();
    assertThat(report.counts()).isEqualTo(Map.of(Status.SUCCEEDED, 2));
    RunProgress ended = watch.read(RUN, System.currentTimeMillis());
    assertThat(ended.liveness()).isEqualTo(RunProgress.Liveness.ENDED);
    assertThat(ended.done()).isEqualTo(Map.of(Status.SUCCEEDED, 2));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("[1/2] SUCCEEDED   quick")
        .doesNotContain("\u001b[");
  }

  /** Polls {@code condition} until it holds, for at most two minutes. */
  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("the condition holds within two minutes").isLessThan(until);
      Thread.sleep(250);
    }
  }
}
