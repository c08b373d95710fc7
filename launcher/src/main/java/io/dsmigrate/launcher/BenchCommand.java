package io.dsmigrate.launcher;

import static org.apache.spark.sql.functions.col;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Generates N small Parquet tables and times, in the same run on the same data, dsmigrate (migrate + validate",
      "+ record) against the loop a user would write (per dataset: read, transform, write Delta, count both sides,",
      "exceptAll both ways). Prints the per-dataset cost of each and the ratio. Uses its own workdir by default."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--datasets",
      defaultValue = "200",
      description = "Datasets (default: ${DEFAULT-VALUE}).")
  int datasets;

  @Option(
      names = "--rows",
      defaultValue = "1000",
      description = "Rows per dataset (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(
      names = "--naive-datasets",
      description =
          "Datasets the naive loop runs on (the first ones of the same tables; default: all, at"
              + " most 100). Its cost per dataset does not shrink with more.")
  Integer naiveDatasets;

  @Option(
      names = "--baseline-datasets",
      defaultValue = "200",
      description =
          "With more datasets than this, dsmigrate also runs this many first, and the figure"
              + " printed is the marginal cost per dataset between both runs, without start-up"
              + " costs (default: ${DEFAULT-VALUE}).")
  int baselineDatasets;

  @Override
  public Integer call() {
    if (common.workdir == null) {
      common.workdir = "dsmigrate-bench";
    }
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "bench");
    String run = JobRunner.newRunId().replace('-', '_');
    String source = "bench_src_" + run;
    spark.sql("CREATE DATABASE " + source);
    System.out.printf("Generating %d tables of %d rows in %s ...%n", datasets, rows, source);
    generate(spark, source);
    // Warm both paths up (JIT, Delta, metastore) on data that is not timed.
    int warm = Math.min(3, datasets);
    naive(spark, source, "bench_warm_naive_" + run, warm);
    migrate(spark, settings, specs(source, "bench_warm_dsm_" + run, 0, warm), run + "_warm");

    int naiveCount = naiveDatasets != null ? naiveDatasets : Math.min(datasets, 100);
    long naiveStart = System.nanoTime();
    naive(spark, source, "bench_naive_" + run, naiveCount);
    long naiveNanos = System.nanoTime() - naiveStart;

    boolean marginal = datasets > baselineDatasets;
    long baselineNanos = 0;
    if (marginal) {
      long start = System.nanoTime();
      migrate(
          spark, settings, specs(source, "bench_base_" + run, 0, baselineDatasets), run + "_base");
      baselineNanos = System.nanoTime() - start;
    }
    HeapWatch heap = HeapWatch.start();
    long dsmStart = System.nanoTime();
    FleetReport report =
        migrate(spark, settings, specs(source, "bench_dsm_" + run, 0, datasets), run);
    long dsmNanos = System.nanoTime() - dsmStart;
    heap.close();

    double naivePer = naiveNanos / 1e6 / naiveCount;
    double dsmPer =
        marginal
            ? (dsmNanos - baselineNanos) / 1e6 / (datasets - baselineDatasets)
            : dsmNanos / 1e6 / datasets;
    System.out.printf(
        "Benchmark: %d datasets x %d rows, %d cores, dsmigrate concurrency %d%n",
        datasets, rows, Runtime.getRuntime().availableProcessors(), settings.concurrency());
    System.out.printf(
        "  naive loop (write + count + exceptAll x2): %8.1f ms per dataset (%d datasets, %.1f s)%n",
        naivePer, naiveCount, naiveNanos / 1e9);
    if (marginal) {
      System.out.printf(
          "  dsmigrate (migrate + validate + register + record): %8.1f ms per dataset, marginal"
              + " between %d datasets (%.1f s) and %d datasets (%.1f s)%n",
          dsmPer, baselineDatasets, baselineNanos / 1e9, datasets, dsmNanos / 1e9);
    } else {
      System.out.printf(
          "  dsmigrate (migrate + validate + register + record): %8.1f ms per dataset (%.1f s"
              + " total)%n",
          dsmPer, dsmNanos / 1e9);
    }
    System.out.printf("  ratio naive / dsmigrate: %.2fx%n", naivePer / dsmPer);
    System.out.printf(
        "  paths: %d datasets on the agent path, %d on the Spark path%n",
        report.byAgents(), report.results().size() - report.byAgents());
    System.out.printf("  %s%n", heap.describe(datasets, "dataset"));
    long succeeded = report.results().stream().filter(r -> r.status() == Status.SUCCEEDED).count();
    System.out.printf("  dsmigrate datasets succeeded: %d of %d%n", succeeded, datasets);
    return succeeded == datasets ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  /**
   * Writes table {@code t0} with Spark, and tables {@code t1...} as copies of its files registered
   * with its schema: the same data, without a Spark job per table (writing thousands of tables one
   * by one would take longer than migrating them).
   */
  private void generate(SparkSession spark, String source) {
    spark
        .range(rows)
        .selectExpr(
            "id",
            "CAST(id % 97 AS INT) AS cust_id",
            "CAST(id * 1.25 AS DOUBLE) AS amount",
            "date_add(DATE'2024-01-01', CAST(id % 365 AS INT)) AS day",
            "CASE WHEN id % 7 = 0 THEN NULL ELSE concat('n', id) END AS note")
        .write()
        .format("parquet")
        .saveAsTable(source + ".t0");
    try {
      org.apache.spark.sql.catalyst.catalog.CatalogTable first =
          spark
              .sessionState()
              .catalog()
              .getTableMetadata(
                  new org.apache.spark.sql.catalyst.TableIdentifier(
                      "t0", scala.Option.apply(source)));
      String ddl = first.schema().toDDL();
      org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(first.location());
      org.apache.hadoop.conf.Configuration conf = spark.sessionState().newHadoopConf();
      org.apache.hadoop.fs.FileSystem fs = from.getFileSystem(conf);
      for (int i = 1; i < datasets; i++) {
        org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(from.getParent(), "t" + i);
        org.apache.hadoop.fs.FileUtil.copy(fs, from, fs, to, false, conf);
        spark.sql(
            "CREATE TABLE "
                + source
                + ".t"
                + i
                + " ("
                + ddl
                + ") USING parquet LOCATION '"
                + to.toUri()
                + "'");
      }
    } catch (java.io.IOException | org.apache.spark.sql.AnalysisException e) {
      throw new IllegalStateException("Cannot generate the benchmark's tables: " + e, e);
    }
  }

  private List<DatasetSpec> specs(String source, String targetDatabase, int from, int count) {
    List<DatasetSpec> specs = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      specs.add(
          new DatasetSpec(
              targetDatabase + ".t" + i,
              new SourceSpec(source + ".t" + i, null, null),
              new TargetSpec(targetDatabase + ".t" + i, null, null, null),
              new TransformSpec(
                  Map.of("cust_id", "customer_id"),
                  Map.of("amount", "decimal(18,2)"),
                  null,
                  null,
                  null,
                  null),
              null,
              null,
              false,
              null));
    }
    return specs;
  }

  private static FleetReport migrate(
      SparkSession spark, Settings settings, List<DatasetSpec> specs, String runId) {
    Plan plan = Planner.of(spark).plan(specs);
    return Fleet.of(spark, settings).runId(runId).plan(plan.planId(), 0).execute(plan.datasets());
  }

  /** What a user would write by hand, dataset after dataset. */
  private static void naive(SparkSession spark, String source, String targetDatabase, int count) {
    spark.sql("CREATE DATABASE IF NOT EXISTS " + targetDatabase);
    for (int i = 0; i < count; i++) {
      Dataset<Row> old =
          spark
              .table(source + ".t" + i)
              .withColumnRenamed("cust_id", "customer_id")
              .withColumn("amount", col("amount").cast("decimal(18,2)"));
      String target = targetDatabase + ".t" + i;
      old.write().format("delta").saveAsTable(target);
      Dataset<Row> migrated = spark.table(target);
      long oldRows = old.count();
      long newRows = migrated.count();
      long missing = old.exceptAll(migrated).count();
      long extra = migrated.exceptAll(old).count();
      if (oldRows != newRows || missing != 0 || extra != 0) {
        throw new IllegalStateException("naive validation found a difference in " + target);
      }
    }
  }
}
