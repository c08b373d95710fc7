package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.plan.ExecutionPath;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Checks every spec (all problems at once, with file:line), resolves the sources (format, schema, size),",
      "picks a pilot wave that covers every kind of dataset, cuts the rest into waves, splits each wave into",
      "partitions balanced by size, chooses each dataset's path (agent or spark) and writes the plan as JSON.",
      "Prints a summary by wave, path and transform kind (--verbose: every dataset). Nothing is migrated."
    })
final class PlanCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--specs",
      required = true,
      arity = "1..*",
      paramLabel = "PATH",
      description = "Spec files or directories.")
  List<Path> specs;

  @Option(
      names = "--partitions",
      defaultValue = "1",
      description = "Partitions (Spark applications) to split into (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--pilot",
      paramLabel = "K",
      description = "Datasets in the pilot wave (default: dsmigrate.plan.pilot; 0 = no pilot).")
  Integer pilot;

  @Option(
      names = "--wave-size",
      paramLabel = "N",
      description =
          "Datasets per wave after the pilot (default: dsmigrate.plan.wave-size; 0 = one wave).")
  Integer waveSize;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "Where to write the plan, a path or a URI (default: <workdir>/plans/<plan id>.json).")
  String out;

  @Option(
      names = "--verbose",
      description = "Also list every partition and dataset, with its path and why.")
  boolean verbose;

  /** How many unresolved datasets the summary names (the plan JSON has them all). */
  private static final int UNRESOLVED_SHOWN = 10;

  @Override
  public Integer call() {
    Settings settings = common.settings();
    List<DatasetSpec> loaded =
        SpecLoader.load(specs, settings.security(), settings.reservedLocations()).orThrow();
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be 1 or more, not " + partitions);
    }
    SparkSession spark = Sessions.start(settings, "plan");
    Plan plan =
        Planner.of(spark)
            .partitions(partitions)
            .pilot(pilot != null ? pilot : settings.pilot())
            .waveSize(waveSize != null ? waveSize : settings.waveSize())
            .agentLimits(settings.agent())
            .plan(loaded);
    String file =
        settings
            .locations()
            .qualify(
                out != null
                    ? out
                    : settings.locations().resolve(settings.plansDir(), plan.planId() + ".json"));
    plan.write(file, spark.sparkContext().hadoopConfiguration());
    print(plan, System.out, verbose);
    System.out.println("Plan written to " + file);
    long unresolved = plan.datasets().stream().filter(d -> d.sourceError() != null).count();
    return unresolved == 0 ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  static void print(Plan plan, PrintStream out) {
    print(plan, out, false);
  }

  /**
   * A summary: per wave, the kinds of dataset it covers and how many datasets take each path, by
   * transform kind; why datasets take the Spark path; the first unresolved sources. With {@code
   * verbose}, every partition and dataset too (the plan JSON always has them).
   */
  static void print(Plan plan, PrintStream out, boolean verbose) {
    out.printf(
        "Plan %s: %d datasets in %d waves, %d partitions%n",
        plan.planId(), plan.datasets().size(), plan.waves().size(), plan.partitions().size());
    for (Plan.Wave wave : plan.waves()) {
      Set<String> covered = new TreeSet<>();
      wave.datasets().forEach(d -> covered.add(Planner.pilotClass(d)));
      out.printf(
          "%s: %d datasets in %d partitions, covering %s%n",
          wave.pilot() ? "Pilot wave" : "Wave " + wave.index(),
          wave.datasets().size(),
          wave.partitions().size(),
          String.join(", ", covered));
      Map<String, Map<String, Integer>> byPath = new TreeMap<>();
      for (PlannedDataset dataset : wave.datasets()) {
        byPath
            .computeIfAbsent(pathOf(dataset), p -> new TreeMap<>())
            .merge(dataset.spec().transform().kind(), 1, Integer::sum);
      }
      byPath.forEach(
          (path, kinds) ->
              out.printf(
                  "  %-10s %6d  (%s)%n",
                  path,
                  kinds.values().stream().mapToInt(Integer::intValue).sum(),
                  kinds.entrySet().stream()
                      .map(e -> "transform " + e.getKey() + ": " + e.getValue())
                      .collect(Collectors.joining(", "))));
      if (verbose) {
        wave.partitions().forEach(partition -> print(partition, out));
      }
    }
    Map<String, Integer> reasons = new TreeMap<>();
    plan.datasets().stream()
        .filter(d -> d.path() == ExecutionPath.SPARK && d.sourceError() == null)
        .forEach(d -> reasons.merge(ExecutionPath.Choice.rule(d.pathReason()), 1, Integer::sum));
    if (!reasons.isEmpty()) {
      out.println("Spark path because:");
      reasons.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .forEach(e -> out.printf("  %6d  %s%n", e.getValue(), e.getKey()));
    }
    List<PlannedDataset> unresolved =
        plan.datasets().stream().filter(d -> d.sourceError() != null).toList();
    if (!unresolved.isEmpty() && !verbose) {
      out.printf("Unresolved sources: %d datasets%n", unresolved.size());
      unresolved.stream()
          .limit(UNRESOLVED_SHOWN)
          .forEach(d -> out.printf("  %s: %s%n", d.spec().id(), d.sourceError()));
      if (unresolved.size() > UNRESOLVED_SHOWN) {
        out.printf(
            "  ... and %d more (--verbose lists them all; so does the plan JSON)%n",
            unresolved.size() - UNRESOLVED_SHOWN);
      }
    }
    Plan.Wave pilot = plan.pilot();
    if (pilot != null) {
      Set<String> all = new TreeSet<>();
      plan.datasets().stream()
          .filter(d -> d.sourceError() == null)
          .forEach(d -> all.add(Planner.pilotClass(d)));
      pilot.datasets().forEach(d -> all.remove(Planner.pilotClass(d)));
      if (!all.isEmpty()) {
        out.printf(
            "Warning: the pilot does not cover %s; raise --pilot to cover every kind%n",
            String.join(", ", all));
      }
    }
  }

  private static String pathOf(PlannedDataset dataset) {
    return dataset.sourceError() != null ? "unresolved" : dataset.path().label();
  }

  private static void print(Plan.Partition partition, PrintStream out) {
    out.printf(
        "  partition %d: %d datasets, %s%n",
        partition.index(), partition.datasets().size(), bytes(partition.sizeBytes()));
    for (PlannedDataset dataset : partition.datasets()) {
      DatasetSpec spec = dataset.spec();
      if (dataset.source() == null) {
        out.printf("    %-30s UNRESOLVED: %s%n", spec.id(), dataset.sourceError());
      } else {
        out.printf(
            "    %-30s %s %s -> %s %s, transform %s, %s, %s path (%s)%n",
            spec.id(),
            dataset.source().format(),
            spec.source().describe(),
            spec.target().format(),
            spec.target().describe(),
            spec.transform().kind(),
            bytes(dataset.sizeBytes()),
            dataset.path().label(),
            dataset.pathReason());
      }
    }
  }

  static String bytes(long size) {
    if (size < 1024) {
      return size + " B";
    }
    if (size < 1024 * 1024) {
      return String.format("%.1f KiB", size / 1024.0);
    }
    if (size < 1024L * 1024 * 1024) {
      return String.format("%.1f MiB", size / (1024.0 * 1024));
    }
    return String.format("%.1f GiB", size / (1024.0 * 1024 * 1024));
  }
}
