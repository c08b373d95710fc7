package io.dsmigrate.job;

import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/** Runs a plan (all partitions, or one) through the fleet and prints a summary. */
public final class JobRunner {
  private JobRunner() {}

  /** A new run id: time-ordered and unique. */
  public static String newRunId() {
    return "run-"
        + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now())
        + "-"
        + UUID.randomUUID().toString().substring(0, 4);
  }

  /**
   * Runs the partition {@code partition} of the plan, or every partition one after the other when
   * it is null.
   *
   * @return the report; its exit code is 0 all done, 1 some datasets failed, 4 paused
   */
  public static FleetReport run(
      SparkSession spark,
      Settings settings,
      Plan plan,
      Integer partition,
      String runId,
      boolean dryRun,
      PrintStream out) {
    List<Plan.Partition> partitions =
        partition == null ? plan.partitions() : List.of(plan.partition(partition));
    java.util.ArrayList<DatasetResult> all = new java.util.ArrayList<>();
    int total = partitions.stream().mapToInt(p -> p.datasets().size()).sum();
    out.printf(
        "%s %s: %d datasets, concurrency %d%s%n",
        dryRun ? "Dry run" : "Run",
        runId,
        total,
        settings.concurrency(),
        partition == null ? "" : ", partition " + partition + " of plan " + plan.planId());
    for (Plan.Partition part : partitions) {
      List<PlannedDataset> datasets = part.datasets();
      FleetReport report =
          Fleet.of(spark, settings)
              .runId(runId)
              .plan(plan.planId(), part.index())
              .dryRun(dryRun)
              .listener(
                  (result, done, count) ->
                      out.printf(
                          "  [%d/%d] %-10s %s%s%n",
                          done,
                          count,
                          result.status(),
                          result.datasetId(),
                          result.errorMessage() != null && result.status() == Status.FAILED
                              ? " - " + result.errorClass()
                              : ""))
              .execute(datasets);
      all.addAll(report.results());
    }
    FleetReport report = new FleetReport(runId, all);
    printSummary(report, settings, out);
    return report;
  }

  public static void printSummary(FleetReport report, Settings settings, PrintStream out) {
    Map<Status, Integer> counts = report.counts();
    StringBuilder line = new StringBuilder("Run ").append(report.runId()).append(":");
    counts.forEach((status, count) -> line.append(' ').append(status).append('=').append(count));
    out.println(line);
    for (DatasetResult failed : report.failed()) {
      out.printf(
          "  FAILED %s [%s] %s%n", failed.datasetId(), failed.errorClass(), failed.errorMessage());
    }
    if (!report.paused().isEmpty()) {
      out.printf(
          "Run %s is paused: %d datasets not started (the datasets in flight were finished)."
              + " Lift the pause with 'dsmigrate resume --run %s', then run again with --run-id %s"
              + " to migrate the rest.%n",
          report.runId(), report.paused().size(), report.runId(), report.runId());
    }
    out.printf(
        "Results: SELECT * FROM %s WHERE run_id = '%s'%n", settings.resultsTable(), report.runId());
  }
}
