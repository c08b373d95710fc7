package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.progress.RunProgress;
import io.dsmigrate.job.progress.RunWatch;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Per-status counts of a run (default: the last one) and its failed datasets with their errors. Exit 1 when some failed.",
      "--watch follows a run while it runs, in this process or any other (spark-submit, Airflow): datasets done per status,",
      "those in flight with their step and time, throughput and ETA, read from the ledger (no Spark), until it ends or",
      "looks stopped (exit 1 then)."
    })
final class StatusCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      paramLabel = "ID",
      description = "The run (default: the last one).")
  String runId;

  @Option(
      names = "--watch",
      description =
          "Follow the run (default: the last one that published its progress) until it ends.")
  boolean watch;

  @Option(
      names = "--every",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "With --watch: seconds between refreshes. Default: ${DEFAULT-VALUE}.")
  int every;

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = common.settings();
    if (watch) {
      return watch(settings);
    }
    SparkSession spark = Sessions.start(settings, "status");
    ResultsTable results = ResultsTable.in(spark, settings.resultsDatabase());
    String run = runId != null ? runId : results.lastRunId();
    if (run == null) {
      System.out.println("No runs recorded in " + results.name() + " yet.");
      return Dsmigrate.OK;
    }
    Map<String, DatasetResult> latest = results.latestOfRun(run);
    if (latest.isEmpty()) {
      throw new IllegalArgumentException("There is no run " + run + " in " + results.name());
    }
    Map<Status, Integer> counts = new EnumMap<>(Status.class);
    latest.values().forEach(r -> counts.merge(r.status(), 1, Integer::sum));
    System.out.printf("Run %s: %d datasets%n", run, latest.size());
    counts.forEach((status, count) -> System.out.printf("  %-12s %d%n", status, count));
    boolean failed = false;
    for (DatasetResult result : latest.values()) {
      if (result.status() == Status.FAILED) {
        failed = true;
        System.out.printf(
            "FAILED %s [%s] %s%n", result.datasetId(), result.errorClass(), result.errorMessage());
      }
    }
    latest.values().stream()
        .filter(r -> r.status() == Status.NOT_STARTED)
        .findFirst()
        .ifPresent(
            held ->
                System.out.printf(
                    "NOT_STARTED %d datasets [%s] %s%n",
                    counts.get(Status.NOT_STARTED), held.errorClass(), held.errorMessage()));
    return failed || counts.containsKey(Status.NOT_STARTED) ? Dsmigrate.SOME_FAILED : Dsmigrate.OK;
  }

  private int watch(Settings settings) throws InterruptedException {
    if (every < 1) {
      throw new IllegalArgumentException("--every must be 1 or more seconds, not " + every);
    }
    RunWatch runs =
        RunWatch.open(
            settings.ledger(),
            settings.resultsDatabase(),
            settings.hadoopConfiguration(),
            Duration.ofSeconds(every));
    String run = runId != null ? runId : runs.lastRunId();
    if (run == null) {
      System.out.println("No run has published its progress in " + runs.records().location());
      return Dsmigrate.OK;
    }
    RunProgress ended =
        runs.follow(run, settings.ledger().leaseDuration(), System.out, System.console() != null);
    return switch (ended.liveness()) {
      case NOT_FOUND ->
          throw new IllegalArgumentException(
              "There is no run "
                  + run
                  + " in the ledger at "
                  + settings.ledger().directory()
                  + ": check --run and give the --conf (or --workdir) the run has");
      case STOPPED -> Dsmigrate.SOME_FAILED;
      default -> {
        System.out.println("Its failures: dsmigrate status --run " + run);
        yield ended.someFailedOrHeld() ? Dsmigrate.SOME_FAILED : Dsmigrate.OK;
      }
    };
  }
}
