package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.testing.SparkTestBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Helpers for job tests: settings in a temp workdir, specs from YAML text, running a fleet. */
public abstract class JobTestBase extends SparkTestBase {
  protected Settings settings(String resultsDatabase, String... keyValues) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("dsmigrate.workdir", temp.resolve("work").toString());
    overrides.put("dsmigrate.results.database", resultsDatabase);
    overrides.put("dsmigrate.fleet.retry-backoff", "10ms");
    overrides.put("dsmigrate.fleet.concurrency", "2");
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return Settings.load(null, overrides);
  }

  protected List<DatasetSpec> specs(String name, String yaml) {
    try {
      Path file = temp.resolve("specs").resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, yaml);
      return SpecLoader.load(List.of(file)).orThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  protected FleetReport run(Settings settings, List<DatasetSpec> specs, String runId) {
    return run(settings, specs, runId, false);
  }

  protected FleetReport run(
      Settings settings, List<DatasetSpec> specs, String runId, boolean dryRun) {
    return run(settings, Planner.of(spark()).plan(specs), runId, dryRun);
  }

  /** Runs a plan made beforehand (to look at it first). */
  protected FleetReport run(Settings settings, Plan plan, String runId, boolean dryRun) {
    return Fleet.of(spark(), settings)
        .runId(runId)
        .plan(plan.planId(), 0)
        .dryRun(dryRun)
        .execute(plan.datasets());
  }

  protected static DatasetResult result(FleetReport report, String datasetId) {
    return report.results().stream()
        .filter(r -> r.datasetId().equals(datasetId))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no result for " + datasetId + " in " + report.results()));
  }

  /**
   * Writes Parquet and a Delta table of two commits under {@code root} (a URI of the file system
   * under test) and reads them back through the shared session.
   */
  protected static void assertParquetAndDeltaRoundTrip(String root) {
    Dataset<Row> first = rows("id INT, name STRING", row(1, "a"), row(2, "b"));
    first.write().parquet(root + "/parquet");
    assertThat(sortedRows(spark().read().parquet(root + "/parquet")))
        .containsExactly("[1,a]", "[2,b]");

    first.write().format("delta").save(root + "/delta");
    rows("id INT, name STRING", row(3, "c"))
        .write()
        .format("delta")
        .mode("append")
        .save(root + "/delta");
    assertThat(sortedRows(spark().read().format("delta").load(root + "/delta")))
        .containsExactly("[1,a]", "[2,b]", "[3,c]");
    assertThat(spark().sql("DESCRIBE HISTORY delta.`" + root + "/delta`").count())
        .as("two commits in the Delta log at " + root)
        .isEqualTo(2);
  }

  /** What a consumer or an admin sees of a table: its definition, partitions and rows. */
  protected record TableState(
      String definition,
      String type,
      String provider,
      List<String> partitions,
      List<String> rows) {}

  /** The state of a table as a new session (a consumer) sees it. */
  protected static TableState state(String table) {
    SparkSession consumer = spark().newSession();
    Dataset<Row> described = consumer.sql("DESCRIBE TABLE EXTENDED " + table);
    String type = described.where("col_name = 'Type'").first().getString(1);
    String provider = described.where("col_name = 'Provider'").first().getString(1);
    // Delta tables have no SHOW CREATE TABLE; their definition is in the Delta log.
    String definition =
        provider.equals("delta")
            ? consumer
                .sql("DESCRIBE DETAIL " + table)
                .selectExpr("location", "partitionColumns")
                .first()
                .toString()
            : consumer.sql("SHOW CREATE TABLE " + table).first().getString(0);
    // Hive stamps the time of the last DDL on every table it creates; that stamp is not data.
    definition =
        definition.replaceAll("'transient_lastDdlTime' = '\\d+'", "'transient_lastDdlTime' = ?");
    List<String> partitions =
        definition.contains("PARTITIONED BY")
            ? sortedRows(consumer.sql("SHOW PARTITIONS " + table))
            : List.of();
    return new TableState(
        definition, type, provider, partitions, sortedRows(consumer.table(table)));
  }

  /**
   * Every file under {@code directory} (relative path → SHA-256 of its bytes), to show that data
   * was not touched down to the byte; empty when the directory does not exist. A local path is read
   * from the disk; a URI of another file system ({@code s3a://...}) through the session's Hadoop
   * file system.
   */
  protected static Map<String, String> fileDigests(String directory) {
    String scheme = new org.apache.hadoop.fs.Path(directory).toUri().getScheme();
    if (scheme != null && !scheme.equals("file")) {
      return hadoopFileDigests(new org.apache.hadoop.fs.Path(directory));
    }
    Path root = Path.of(directory);
    Map<String, String> digests = new java.util.TreeMap<>();
    if (!Files.exists(root)) {
      return digests;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        digests.put(root.relativize(file).toString(), sha256(Files.readAllBytes(file)));
      }
      return digests;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> hadoopFileDigests(org.apache.hadoop.fs.Path root) {
    Map<String, String> digests = new java.util.TreeMap<>();
    try {
      org.apache.hadoop.fs.FileSystem fs =
          root.getFileSystem(spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return digests;
      }
      String prefix = fs.makeQualified(root).toUri().getPath() + "/";
      var files = fs.listFiles(root, true);
      while (files.hasNext()) {
        org.apache.hadoop.fs.Path file = files.next().getPath();
        try (var in = fs.open(file)) {
          digests.put(file.toUri().getPath().substring(prefix.length()), sha256(in.readAllBytes()));
        }
      }
      return digests;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A results row of dataset {@code orders} as a run records it, finished at {@code finished}. */
  protected static DatasetResult ordersRow(
      String runId, io.dsmigrate.job.results.Status status, long finished, String backupTable) {
    return DatasetResult.attempted(
        new DatasetResult.Run(runId, "plan", 0, 1),
        new DatasetResult.Subject(
            "orders",
            "legacy.orders",
            "sales.orders",
            "/warehouse/sales.db/orders",
            "none",
            false,
            "hash",
            List.of()),
        status,
        1,
        DatasetResult.Counts.NONE,
        null,
        new DatasetResult.UndoPoints(null, null, backupTable),
        new java.sql.Timestamp(finished - 1000),
        new java.sql.Timestamp(finished));
  }

  protected static long deltaVersion(String table) {
    return spark().sql("DESCRIBE HISTORY " + table).selectExpr("max(version)").first().getLong(0);
  }
}
