package io.dsmigrate.launcher;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
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
      "Exit 0 when all succeeded or were skipped, 1 when some failed (the others are done), 2 on bad input,",
      "4 when the run was paused. Give the same --run-id to resume a run that was paused or killed."
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
        description = "A plan written by 'dsmigrate plan'.")
    Path plan;
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
      names = "--run-id",
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
    // Specs and plan are checked before Spark starts: bad input fails fast and touches nothing.
    Plan plan = null;
    List<DatasetSpec> specs = null;
    if (input.plan != null) {
      plan = Plan.read(input.plan);
      if (partition != null) {
        plan.partition(partition);
      }
    } else {
      specs = SpecLoader.load(input.specs, settings.security()).orThrow();
    }
    SparkSession spark = Sessions.start(settings, "run");
    if (plan == null) {
      plan = Planner.of(spark).plan(specs);
    }
    FleetReport report =
        JobRunner.run(
            spark,
            settings,
            plan,
            partition,
            runId != null ? runId : JobRunner.newRunId(),
            dryRun,
            System.out);
    return report.exitCode();
  }
}
