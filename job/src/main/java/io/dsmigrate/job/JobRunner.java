package io.dsmigrate.job;

import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.migrate.Scripts;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.progress.ProgressReporter;
import io.dsmigrate.job.progress.RunWatch;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a plan (all partitions, or one) through the fleet, shows its progress while it runs ({@link
 * ProgressReporter}) and prints a summary.
 */
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
   * How to run a plan.
   *
   * @param runId the run id; the same id resumes a run
   * @param partition the one partition to run, or null for all of them, wave by wave
   * @param dryRun check everything, write nothing
   * @param pilotOnly stop after the pilot wave, whatever its outcome
   * @param ignorePilot run the later waves even when the pilot did not pass
   */
  public record Options(
      String runId, Integer partition, boolean dryRun, boolean pilotOnly, boolean ignorePilot) {
    public Options {
      RunId.check(java.util.Objects.requireNonNull(runId, "runId is null"));
    }

    public static Options of(String runId) {
      return new Options(runId, null, false, false, false);
    }
  }

  /** The error class of the rows of datasets held back because the pilot did not pass. */
  public static final String PILOT_NOT_PASSED = "PILOT_NOT_PASSED";

  /** Runs the partition {@code partition} of the plan, or all of it when it is null. */
  public static FleetReport run(
      SparkSession spark,
      Settings settings,
      Plan plan,
      Integer partition,
      String runId,
      boolean dryRun,
      PrintStream out) {
    return run(spark, settings, plan, new Options(runId, partition, dryRun, false, false), out);
  }

  /**
   * Runs a plan wave by wave, or one partition of it. The waves after the pilot run only once every
   * pilot dataset succeeded (in this run or an earlier one, with the same spec); otherwise their
   * datasets are recorded NOT_STARTED. A wave stopped by the error threshold is rolled back and no
   * later wave runs.
   *
   * @return the report; its exit code is 0 all done, 1 some datasets failed or were held back, 3 a
   *     wave passed the error threshold and was rolled back, 4 paused
   */
  public static FleetReport run(
      SparkSession spark, Settings settings, Plan plan, Options options, PrintStream out) {
    List<Plan.Wave> waves =
        options.partition() == null
            ? plan.waves()
            : List.of(
                new Plan.Wave(
                    plan.partition(options.partition()).wave(),
                    List.of(plan.partition(options.partition()))));
    int total = waves.stream().mapToInt(w -> w.datasets().size()).sum();
    out.printf(
        "%s %s: %d datasets, concurrency %d%s%n",
        options.dryRun() ? "Dry run" : "Run",
        options.runId(),
        total,
        settings.concurrency(),
        options.partition() == null
            ? ""
            : ", partition " + options.partition() + " of plan " + plan.planId());
    // One notifier for the whole run: its notices are sent in the background while the waves run,
    // and the end of the run waits a bounded time for those still queued.
    Notifier notifier = options.dryRun() ? Notifier.NONE : settings.notifier(spark);
    FleetReport report;
    try {
      report = runWaves(spark, settings, plan, options, waves, notifier, out);
    } finally {
      notifier.close();
    }
    printSummary(report, settings, out);
    if (notifier.summary() != null) {
      out.println(notifier.summary());
    }
    return report;
  }

  private static FleetReport runWaves(
      SparkSession spark,
      Settings settings,
      Plan plan,
      Options options,
      List<Plan.Wave> waves,
      Notifier notifier,
      PrintStream out) {
    FleetReport report = new FleetReport(options.runId(), List.of());
    String heldBy = null;
    String heldClass = null;
    boolean gateChecked = false;
    RunWatch watch =
        RunWatch.open(
            settings.ledger(),
            settings.resultsDatabase(),
            spark.sessionState().newHadoopConf(),
            settings.progressInterval());
    try (ProgressReporter progress =
        ProgressReporter.start(
            watch,
            !options.dryRun(),
            options.runId(),
            options.partition() == null ? "all" : "partition-" + options.partition(),
            waves.stream().flatMap(w -> w.datasets().stream()).toList(),
            out,
            System.console() != null && out == System.out)) {
      for (Plan.Wave wave : waves) {
        Fleet fleet =
            Fleet.of(spark, settings)
                .runId(options.runId())
                .plan(plan.planId(), wave.partitions().get(0).index())
                .dryRun(options.dryRun())
                .notifier(notifier)
                .listener(
                    (result, done, count) -> {
                      progress.finished(result);
                      progress.println(
                          String.format(
                              "  [%d/%d] %-11s %s%s",
                              done,
                              count,
                              result.status(),
                              result.datasetId(),
                              result.errorMessage() != null && result.status() == Status.FAILED
                                  ? " - " + result.errorClass()
                                  : ""));
                    });
        // The gate is checked once, before the first wave after the pilot: a pilot that passed
        // stays passed for the rest of the run.
        if (heldBy == null && !gateChecked && !wave.pilot() && !options.dryRun()) {
          gateChecked = true;
          heldBy = options.ignorePilot() ? null : pilotNotPassed(spark, settings, plan);
          heldClass = PILOT_NOT_PASSED;
          if (heldBy == null && options.partition() != null) {
            heldBy = earlierWaveStopped(spark, settings, plan, wave, options.runId());
            heldClass = Fleet.ERROR_THRESHOLD;
          }
        }
        if (heldBy != null) {
          progress.println(
              String.format(
                  "Wave %d (%d datasets) not started: %s",
                  wave.index(), wave.datasets().size(), heldBy));
          report = report.and(fleet.hold(wave, heldClass, heldBy));
          continue;
        }
        progress.println(
            String.format(
                "%s (%d datasets in %d partitions)",
                wave.pilot() ? "Pilot wave" : "Wave " + wave.index(),
                wave.datasets().size(),
                wave.partitions().size()));
        FleetReport ran = fleet.execute(wave);
        report = report.and(ran);
        if (ran.stoppedBy() != null) {
          heldBy = "an earlier wave was stopped by the error threshold (" + ran.stoppedBy() + ")";
          heldClass = Fleet.ERROR_THRESHOLD;
        } else if (wave.pilot() && options.pilotOnly()) {
          progress.println(
              "Stopped after the pilot (--pilot-only); run the plan again to migrate the rest.");
          break;
        }
      }
    }
    return report;
  }

  /**
   * Why a partition run on its own must not start: an earlier wave of the same run was stopped by
   * the error threshold (its rows say so); null when none was.
   */
  static String earlierWaveStopped(
      SparkSession spark, Settings settings, Plan plan, Plan.Wave wave, String runId) {
    java.util.Set<String> earlier = new java.util.HashSet<>();
    plan.waves().stream()
        .filter(w -> w.index() < wave.index())
        .forEach(w -> w.datasets().forEach(d -> earlier.add(d.spec().id())));
    if (earlier.isEmpty()) {
      return null;
    }
    return ResultsTable.in(spark, settings.resultsDatabase()).latestOfRun(runId).values().stream()
        .filter(r -> earlier.contains(r.datasetId()))
        .filter(r -> Fleet.ERROR_THRESHOLD.equals(r.errorClass()))
        .findFirst()
        .map(
            r ->
                "wave "
                    + r.wave()
                    + " of run "
                    + runId
                    + " was stopped by the error threshold and rolled back; see its rows")
        .orElse(null);
  }

  /**
   * Why the waves after the pilot cannot run yet, or null when every pilot dataset's last outcome
   * is a success with the spec it has in this plan.
   */
  static String pilotNotPassed(SparkSession spark, Settings settings, Plan plan) {
    Plan.Wave pilot = plan.pilot();
    if (pilot == null) {
      return null;
    }
    Map<String, DatasetResult> latest =
        ResultsTable.in(spark, settings.resultsDatabase()).latestByDataset();
    List<String> notPassed = new java.util.ArrayList<>();
    for (PlannedDataset dataset : pilot.datasets()) {
      DatasetResult last = latest.get(dataset.spec().id());
      // Hashed as the pilot ran it: with its script's text as it is now, not as planned.
      String hash = Scripts.current(spark, dataset.spec(), settings.security()).hash();
      if (last == null || last.status() != Status.SUCCEEDED || !hash.equals(last.specHash())) {
        notPassed.add(
            dataset.spec().id()
                + " ("
                + (last == null
                    ? "not run yet"
                    : last.status() != Status.SUCCEEDED
                        ? last.status() + (last.errorClass() != null ? " " + last.errorClass() : "")
                        : "its spec changed since")
                + ")");
      }
    }
    if (notPassed.isEmpty()) {
      return null;
    }
    return "the pilot wave has not passed: "
        + notPassed.size()
        + " of its "
        + pilot.datasets().size()
        + " datasets did not succeed: "
        + String.join(", ", notPassed.subList(0, Math.min(10, notPassed.size())))
        + (notPassed.size() > 10 ? ", ..." : "")
        + ". Fix them and run the plan again (the pilot datasets that succeeded are skipped), or"
        + " pass --ignore-pilot to run the later waves anyway";
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
    if (report.stoppedBy() != null) {
      out.printf(
          "Run %s stopped: %s. The wave was rolled back (ROLLED_BACK rows), later datasets were"
              + " not started (NOT_STARTED rows).%n",
          report.runId(), report.stoppedBy());
    } else if (!report.notStarted().isEmpty()) {
      out.printf(
          "Run %s: %d datasets not started: %s%n",
          report.runId(), report.notStarted().size(), report.notStarted().get(0).errorMessage());
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
