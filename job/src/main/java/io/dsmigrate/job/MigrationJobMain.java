package io.dsmigrate.job;

import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.plan.Plan;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The spark-submit entry point: runs one partition of a plan.
 *
 * <pre>
 * spark-submit --class io.dsmigrate.job.MigrationJobMain dsmigrate-job-VERSION-spark.jar \
 *   --plan plan.json --partition 0 [--run-id ID] [--workdir DIR] [--conf FILE] [-Dkey=value]
 * </pre>
 *
 * Exit codes: 0 all done, 1 some datasets failed (or were held back because the pilot wave did not
 * pass), 2 bad arguments, plan or config, 3 a wave passed the error threshold and was rolled back,
 * 4 paused (the datasets in flight finished, the rest not started; see {@code dsmigrate pause}).
 */
@Command(
    name = "dsmigrate-job",
    mixinStandardHelpOptions = true,
    description = "Migrates one partition of a dsmigrate plan (run it with spark-submit).")
public final class MigrationJobMain implements Callable<Integer> {
  @Option(
      names = "--plan",
      required = true,
      description = "The plan JSON written by 'dsmigrate plan' (a path or a URI).")
  String plan;

  @Option(
      names = "--partition",
      description = "The partition to run (default: all, one after the other).")
  Integer partition;

  @Option(
      names = "--run-id",
      description =
          "The run id (default: a new one). Give the same id to resume a run that was paused,"
              + " killed or failed: what it finished is skipped, what it left in flight is finished.")
  String runId;

  @Option(
      names = "--workdir",
      description =
          "The ledger, pause requests, snapshots and plans; with the embedded metastore, its"
              + " database and the warehouse (a path or a URI; default: dsmigrate.workdir).")
  String workdir;

  @Option(names = "--conf", description = "A HOCON file with dsmigrate settings.")
  File conf;

  @Option(names = "-D", description = "A setting, e.g. -Ddsmigrate.fleet.concurrency=8.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--concurrency", description = "Datasets migrated at once.")
  Integer concurrency;

  @Option(names = "--dry-run", description = "Check everything; write nothing.")
  boolean dryRun;

  @Option(
      names = "--pilot-only",
      description = "Without --partition: stop after the pilot wave, whatever its outcome.")
  boolean pilotOnly;

  @Option(
      names = "--ignore-pilot",
      description = "Run the waves after the pilot even when the pilot did not pass.")
  boolean ignorePilot;

  public static void main(String[] args) {
    int code =
        new CommandLine(new MigrationJobMain()).setExitCodeExceptionMapper(e -> 2).execute(args);
    System.exit(code);
  }

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    // Checked here rather than by a converter: in a scheduler's task definition the argument is a
    // template (Airflow's {{ run_id | ... }}) until it is rendered, and must still parse.
    if (runId != null) {
      try {
        RunId.check(runId);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            command.commandLine(), "Invalid value for option '--run-id': " + e.getMessage());
      }
    }
    Map<String, String> settingsOverrides = new LinkedHashMap<>(overrides);
    if (workdir != null) {
      settingsOverrides.put("dsmigrate.workdir", workdir);
    }
    Settings settings = Settings.load(conf, settingsOverrides);
    if (concurrency != null) {
      settings = settings.withConcurrency(concurrency);
    }
    Plan loaded = Plan.read(plan, settings.hadoopConfiguration());
    if (partition != null) {
      loaded.partition(partition);
    }
    SparkSession spark = SparkSessions.create(settings, "dsmigrate " + loaded.planId());
    try {
      FleetReport report =
          JobRunner.run(
              spark,
              settings,
              loaded,
              new JobRunner.Options(
                  runId != null ? runId : JobRunner.newRunId(),
                  partition,
                  dryRun,
                  pilotOnly,
                  ignorePilot),
              System.out);
      return report.exitCode();
    } finally {
      spark.stop();
    }
  }
}
