package io.dsmigrate.launcher;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.launcher.demo.DemoWarehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Creates a legacy warehouse of N Hive/Parquet datasets in varied shapes in the workdir, writes specs for them",
      "under <workdir>/specs, then plans, runs and validates them and prints the summary. Exit 0 when all succeed.",
      "A workdir made by an earlier demo is started afresh; any other non-empty workdir is refused."
    })
final class DemoCommand implements Callable<Integer> {
  static final String MARKER = ".dsmigrate-demo";

  @Mixin CommonOptions common;

  @Option(
      names = "--datasets",
      defaultValue = "50",
      description = "How many datasets (default: ${DEFAULT-VALUE}).")
  int datasets;

  @Override
  public Integer call() throws IOException {
    if (datasets < 1) {
      throw new IllegalArgumentException("--datasets must be 1 or more, not " + datasets);
    }
    Settings settings = common.settings();
    Path workdir = settings.locations().local(settings.workdir(), "the demo's workdir");
    prepare(workdir);
    System.out.printf("Creating a legacy warehouse of %d datasets in %s%n", datasets, workdir);
    SparkSession spark = Sessions.start(settings, "demo");
    Path specs = new DemoWarehouse(spark, workdir).create(datasets);
    System.out.println("Specs written to " + specs);
    Plan plan =
        Planner.of(spark)
            .pilot(settings.pilot())
            .waveSize(settings.waveSize())
            .agentLimits(settings.agent())
            .plan(
                SpecLoader.load(List.of(specs), settings.security(), settings.reservedLocations())
                    .orThrow());
    plan.write(workdir.resolve("plans").resolve(plan.planId() + ".json"));
    FleetReport report =
        JobRunner.run(spark, settings, plan, null, JobRunner.newRunId(), false, System.out);
    System.out.printf(
        "Try: bin/dsmigrate sql \"SELECT status, count(*) FROM %s GROUP BY status\"%s%n",
        settings.resultsTable(), common.workdir == null ? "" : " --workdir " + common.workdir);
    return report.exitCode();
  }

  private static void prepare(Path workdir) throws IOException {
    if (Files.isDirectory(workdir)) {
      boolean empty;
      try (Stream<Path> children = Files.list(workdir)) {
        empty = children.findAny().isEmpty();
      }
      if (!empty && !Files.exists(workdir.resolve(MARKER))) {
        throw new IllegalArgumentException(
            "workdir "
                + workdir
                + " holds data that the demo did not make; give the demo its own --workdir");
      }
      if (!empty) {
        System.out.println("Starting the demo afresh in " + workdir);
        try (Stream<Path> walk = Files.walk(workdir)) {
          for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
    }
    Files.createDirectories(workdir);
    Files.writeString(workdir.resolve(MARKER), "made by dsmigrate demo\n");
  }
}
