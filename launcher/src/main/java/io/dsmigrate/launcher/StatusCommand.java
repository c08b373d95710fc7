package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
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
    description =
        "Per-status counts of a run (default: the last one) and its failed datasets with their errors. Exit 1 when some failed.")
final class StatusCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      paramLabel = "ID",
      description = "The run (default: the last one).")
  String runId;

  @Override
  public Integer call() {
    Settings settings = common.settings();
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
}
