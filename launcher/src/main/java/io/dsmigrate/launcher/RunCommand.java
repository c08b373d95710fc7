package io.dsmigrate.launcher;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Migrates, validates and records datasets in this process (local Spark unless configured otherwise).",
      "Runs the plan wave by wave: the pilot first; the later waves only once it passed. A wave that passes",
      "the error threshold (dsmigrate.fleet.error-threshold) is rolled back and stops the run.",
      "Exit 0 when all succeeded or were skipped, 1 when some failed or were held back (the others are done),",
      "2 on bad input, 3 when a wave passed the error threshold and was rolled back, 4 when the run was paused.",
      "Give the same --run-id to resume a run that was paused or killed."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(
        names = "--specs",
        arity = "1..*",
        paramLabel = "PATH",
        description = "Spec files or directories.")
    List<Path> specs;

    @Option(
        names = "--plan",
        paramLabel = "FILE",
        description = "A plan written by 'dsmigrate plan' (a path or a URI).")
    String plan;
  }

  @Option(names = "--partition", description = "With --plan: run only this partition.")
  Integer partition;

  @Option(
      names = "--concurrency",
      description = "Datasets migrated at once (default: dsmigrate.fleet.concurrency).")
  Integer concurrency;

  @Option(
      names = "--dry-run",
      description = "Do everything except writing targets, snapshots and results.")
  boolean dryRun;

  @Option(
      names = "--pilot",
      paramLabel = "K",
      description =
          "With --specs: datasets in the pilot wave (default: dsmigrate.plan.pilot; 0 = none).")
  Integer pilot;

  @Option(
      names = "--pilot-only",
      description = "Stop after the pilot wave, whatever its outcome, to look at it first.")
  boolean pilotOnly;

  @Option(
      names = "--ignore-pilot",
      description = "Run the waves after the pilot even when the pilot did not pass.")
  boolean ignorePilot;

  @Option(
      names = "--run-id",
      converter = RunId.Converter.class,
      description =
          "The run id (default: a new one). The same id resumes a run: what it finished is"
              + " skipped, what it left in flight is finished.")
  String runId;

  @Override
  public Integer call() {
    Settings settings = common.settings();
    if (concurrency != null) {
      if (concurrency < 1) {
        throw new IllegalArgumentException("--concurrency must be 1 or more, not " + concurrency);
      }
      settings = settings.withConcurrency(concurrency);
    }
    if (partition != null && input.plan == null) {
      throw new IllegalArgumentException("--partition goes with --plan");
    }
    if (pilot != null && input.specs == null) {
      throw new IllegalArgumentException(
          "--pilot goes with --specs; a plan has its pilot already (dsmigrate plan --pilot K)");
    }
    // Specs and plan are checked before Spark starts: bad input fails fast and touches nothing.
    Plan plan = null;
    List<DatasetSpec> specs = null;
    if (input.plan != null) {
      plan = Plan.read(input.plan, settings.hadoopConfiguration());
      if (partition != null) {
        plan.partition(partition);
      }
    } else {
      specs =
          SpecLoader.load(input.specs, settings.security(), settings.reservedLocations()).orThrow();
    }
    SparkSession spark = Sessions.start(settings, "run");
    if (plan == null) {
      plan =
          Planner.of(spark)
              .pilot(pilot != null ? pilot : settings.pilot())
              .waveSize(settings.waveSize())
              .agentLimits(settings.agent())
              .plan(specs);
    }
    FleetReport report =
        JobRunner.run(
            spark,
            settings,
            plan,
            new JobRunner.Options(
                runId != null ? runId : JobRunner.newRunId(),
                partition,
                dryRun,
                pilotOnly,
                ignorePilot),
            System.out);
    return report.exitCode();
  }
}
