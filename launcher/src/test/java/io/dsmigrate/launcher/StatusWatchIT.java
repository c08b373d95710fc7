package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.ChildJvm;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A run in one process shows its progress in its log (with the shipped logging configuration), and
 * {@code dsmigrate status --watch} in another process follows it from the ledger: the dataset in
 * flight with its step while the run is at work, then the final counts, and exits as status does.
 */
class StatusWatchIT extends SparkTestBase {
  private static final String RUN = "run-watched";

  @Test
  void watchShowsTheDatasetInFlightOfARunInAnotherProcessThenItsEnd() throws Exception {
    spark().range(20).selectExpr("id", "concat('v', id) AS v").write().parquet(path("held"));
    spark().range(10).selectExpr("id", "concat('v', id) AS v").write().parquet(path("quick"));
    Path gate = temp.resolve("gate");
    Files.writeString(gate, "the held dataset waits while this file exists");
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(
        specs,
        """
        datasets:
          - id: it.held
            source: { path: "%s" }
            target: { path: "%s" }
            transform: { sql: "SELECT * FROM source WHERE default.file_gate('%s') = '%s'" }
          - id: it.quick
            source: { path: "%s" }
            target: { path: "%s" }
        """
            .formatted(
                path("held"), path("held_delta"), gate, gate, path("quick"), path("quick_delta")));
    String workdir = temp.resolve("work").toString();
    Path shippedLogging = Path.of("..", "conf", "log4j2.properties").toAbsolutePath().normalize();
    ChildJvm run =
        ChildJvm.of(GatedRun.class, temp.resolve("run"), temp.resolve("run.log"))
            .withJvmOptions("-Dlog4j2.configurationFile=" + shippedLogging)
            .withArguments(
                "--workdir",
                workdir,
                "--specs",
                specs.toString(),
                "--pilot",
                "0",
                "--run-id",
                RUN,
                "-Ddsmigrate.progress.interval=1s",
                "-Ddsmigrate.spark.conf.\"spark.ui.enabled\"=false");
    ChildJvm watch =
        ChildJvm.of(Dsmigrate.class, temp.resolve("watch"), temp.resolve("watch.log"))
            .withArguments("status", "--watch", "--run", RUN, "--every", "1", "--workdir", workdir);
    Process running = run.start();
    Process watching = null;
    try {
      // The run's own log shows its progress, the held dataset in flight.
      eventually(() -> run.output().contains("in flight: it.held WRITING"), run);
      assertThat(run.output()).contains("INFO progress: Run " + RUN + ": ");

      watching = watch.start();
      eventually(() -> watch.output().contains("in flight: it.held WRITING"), watch);
      assertThat(running.isAlive()).as("the run is held at the gate").isTrue();
      assertThat(watching.isAlive()).as("the watch follows it until it ends").isTrue();
      assertThat(watch.output())
          .contains("Run " + RUN + ": ")
          .contains("/2 done")
          .doesNotContain("ended");

      Files.delete(gate);
      assertThat(running.waitFor(5, TimeUnit.MINUTES)).as(run.output()).isTrue();
      assertThat(running.exitValue()).as(run.output()).isZero();
      assertThat(watching.waitFor(1, TimeUnit.MINUTES)).as(watch.output()).isTrue();
      assertThat(watching.exitValue()).as(watch.output()).isZero();
      assertThat(watch.output())
          .contains("Run " + RUN + " ended: SUCCEEDED=2 (2 datasets in ")
          .contains("Its failures: dsmigrate status --run " + RUN);
    } finally {
      Files.deleteIfExists(gate);
      ChildJvm.destroy(running.toHandle());
      if (watching != null) {
        ChildJvm.destroy(watching.toHandle());
      }
    }
  }

  /** Polls {@code condition} for at most three minutes; fails with the child's log. */
  private static void eventually(BooleanSupplier condition, ChildJvm child)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < until)
          .as("within three minutes, in the log of %s:%n%s", child.mainClass(), child.output())
          .isTrue();
      Thread.sleep(250);
    }
  }
}
