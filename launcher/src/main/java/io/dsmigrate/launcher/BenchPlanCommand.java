package io.dsmigrate.launcher;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.TableLocations;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench-plan",
    mixinStandardHelpOptions = true,
    description = {
      "Times planning at scale: writes one shared Parquet directory of 1,000 rows, a few Parquet tables, and N",
      "specs reading them (one spec file), then times loading the specs and planning them, with the driver's",
      "heap. In the same run it times the baseline, resolving spec by spec as the planner did before, on",
      "a sample of the specs. Uses its own workdir by default."
    })
final class BenchPlanCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--specs",
      defaultValue = "10000",
      description = "Specs to plan (default: ${DEFAULT-VALUE}).")
  int specs;

  @Option(
      names = "--tables",
      defaultValue = "20",
      description = "Of them, specs reading distinct Parquet tables (default: ${DEFAULT-VALUE}).")
  int tables;

  @Option(
      names = "--baseline-specs",
      defaultValue = "200",
      description =
          "Specs the baseline resolves one by one (default: ${DEFAULT-VALUE}; 0 = no baseline).")
  int baselineSpecs;

  @Override
  public Integer call() throws IOException {
    if (specs < 1 || tables < 0 || tables > specs || baselineSpecs < 0) {
      throw new IllegalArgumentException(
          "--specs must be 1 or more, --tables 0 to --specs, --baseline-specs 0 or more");
    }
    if (common.workdir == null) {
      common.workdir = "dsmigrate-bench";
    }
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "bench-plan");
    String run = JobRunner.newRunId().replace('-', '_');
    Path directory =
        settings
            .locations()
            .local(settings.workdir(), "bench-plan's workdir")
            .resolve("bench-plan")
            .resolve(run);
    String shared = directory.resolve("shared").toUri().toString();
    String sourceDatabase = "bench_plan_src_" + run;
    String targetDatabase = "bench_plan_new_" + run;
    System.out.printf(
        "Writing a shared Parquet directory of 1000 rows and %d Parquet tables ...%n", tables);
    spark
        .range(1000)
        .selectExpr(
            "id",
            "CAST(id % 97 AS INT) AS cust_id",
            "CAST(id * 1.25 AS DOUBLE) AS amount",
            "CASE WHEN id % 7 = 0 THEN NULL ELSE concat('n', id) END AS note")
        .write()
        .parquet(shared);
    spark.sql("CREATE DATABASE " + sourceDatabase);
    // The targets' database exists, so that every target is looked up in the metastore.
    spark.sql("CREATE DATABASE " + targetDatabase);
    for (int i = 0; i < tables; i++) {
      spark.range(100).write().format("parquet").saveAsTable(sourceDatabase + ".t" + i);
    }
    Path specFile = directory.resolve("specs").resolve("specs.yaml");
    writeSpecs(specFile, shared, sourceDatabase, targetDatabase, "s");
    Path warmFile = directory.resolve("warm").resolve("warm.yaml");
    int all = specs;
    specs = Math.min(all, 20);
    writeSpecs(warmFile, shared, sourceDatabase, targetDatabase, "w");
    specs = all;

    // Warm up (JIT, metastore client, Parquet footers) on specs that are not timed.
    plan(spark, settings, load(settings, warmFile));

    collectGarbage();
    long loadStart = System.nanoTime();
    List<DatasetSpec> loaded = load(settings, specFile);
    long loadNanos = System.nanoTime() - loadStart;

    double baselinePer = Double.NaN;
    int sample = Math.min(baselineSpecs, loaded.size());
    if (sample > 0) {
      // The sample takes specs of both kinds: the table specs come last in the file.
      List<DatasetSpec> picked = loaded.subList(Math.max(0, loaded.size() - sample), loaded.size());
      collectGarbage();
      long baselineStart = System.nanoTime();
      for (DatasetSpec spec : picked) {
        baseline(spark, spec);
      }
      baselinePer = (System.nanoTime() - baselineStart) / 1e6 / sample;
    }

    HeapWatch heap = HeapWatch.start();
    long planStart = System.nanoTime();
    Plan plan = plan(spark, settings, loaded);
    long planNanos = System.nanoTime() - planStart;
    heap.close();
    long writeStart = System.nanoTime();
    plan.write(directory.resolve("plan.json"));
    long writeNanos = System.nanoTime() - writeStart;

    Map<String, Integer> paths = new TreeMap<>();
    plan.datasets().forEach(d -> paths.merge(d.path().label(), 1, Integer::sum));
    long unresolved = plan.datasets().stream().filter(d -> d.sourceError() != null).count();
    System.out.printf(
        "Planning benchmark: %d specs (%d on one shared Parquet directory, %d on distinct tables),"
            + " %d cores, max heap %d MiB%n",
        specs, specs - tables, tables, Runtime.getRuntime().availableProcessors(), mib(maxHeap()));
    System.out.printf(
        "  load specs:     %8.1f s (%.2f ms per spec)%n", loadNanos / 1e9, loadNanos / 1e6 / specs);
    System.out.printf(
        "  Planner.plan:   %8.1f s (%.2f ms per spec); %s%n",
        planNanos / 1e9, planNanos / 1e6 / specs, heap.describe(specs, "spec"));
    System.out.printf("  write plan JSON: %7.1f s%n", writeNanos / 1e9);
    if (sample > 0) {
      System.out.printf(
          "  baseline, spec by spec as before (on %d specs): %.2f ms per spec, ~%.0f s for %d"
              + " specs (not counting the pairwise nesting check)%n",
          sample, baselinePer, baselinePer * specs / 1000, specs);
      System.out.printf(
          "  ratio baseline / Planner.plan: %.1fx%n", baselinePer * specs * 1e6 / planNanos);
    }
    System.out.printf("  paths: %s; unresolved: %d%n", paths, unresolved);
    return unresolved == 0 ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  /** Every spec but the last {@code tables} reads the shared directory; targets are tables. */
  private void writeSpecs(
      Path file, String shared, String sourceDatabase, String targetDatabase, String prefix)
      throws IOException {
    StringBuilder yaml = new StringBuilder("datasets:\n");
    int onTables = Math.min(tables, specs);
    for (int i = 0; i < specs; i++) {
      String id = prefix + i;
      String source =
          i < specs - onTables
              ? "{ path: '" + shared + "' }"
              : "{ table: " + sourceDatabase + ".t" + (i - (specs - onTables)) + " }";
      yaml.append("  - id: ").append(id).append('\n');
      yaml.append("    source: ").append(source).append('\n');
      yaml.append("    target: { table: ").append(targetDatabase).append('.').append(id);
      yaml.append(" }\n");
      if (i % 3 == 0) {
        yaml.append("    transform: { rename: { cust_id: customer_id } }\n");
      } else if (i % 3 == 1) {
        yaml.append("    transform: { sql: \"SELECT id, amount FROM source\" }\n");
      }
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
  }

  private static List<DatasetSpec> load(Settings settings, Path file) {
    return SpecLoader.load(List.of(file), settings.security(), settings.reservedLocations())
        .orThrow();
  }

  private static Plan plan(SparkSession spark, Settings settings, List<DatasetSpec> specs) {
    return Planner.of(spark)
        .pilot(settings.pilot())
        .waveSize(settings.waveSize())
        .agentLimits(settings.agent())
        .plan(specs);
  }

  /** What the planner did for each spec before: every look-up and inference, one spec at a time. */
  private static void baseline(SparkSession spark, DatasetSpec spec) {
    try {
      TableLocations.source(spark, spec.source());
      TableLocations.target(spark, spec.target());
      SourceResolver.resolve(spark, spec);
    } catch (MigrationException e) {
      // counted like a resolved source: the planner records the error and goes on
    }
  }

  private static void collectGarbage() {
    System.gc();
  }

  private static long maxHeap() {
    return Runtime.getRuntime().maxMemory();
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }
}
