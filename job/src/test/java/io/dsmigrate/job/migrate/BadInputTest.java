package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.fleet.Gate;
import io.dsmigrate.job.fleet.GateFunction;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input ends as a clear per-dataset failure and touches nothing else: one fleet over a corrupt
 * Parquet file, unreadable sources, an unwritable target, a target that holds other data, a source
 * whose schema drifted since planning and a dataset over its timeout, next to one good dataset.
 */
class BadInputTest extends JobTestBase {
  /** A dataset id and a run id that would break SQL built by concatenation. */
  private static final String GOOD_ID = "good 'o''brien' `tick` \"dq\" ../up; --";

  private static final String RUN_ID = "run-bad-input\\'); DROP TABLE x; --";

  @BeforeAll
  static void legacyWarehouse() throws IOException {
    spark().sql("CREATE DATABASE IF NOT EXISTS bad_legacy");
    spark()
        .range(12)
        .selectExpr("id", "concat('n', id) AS note")
        .write()
        .format("parquet")
        .saveAsTable("bad_legacy.good");
    spark().range(6).write().format("parquet").saveAsTable("bad_legacy.corrupt");
    Path corruptDir = location("bad_legacy.corrupt");
    Files.writeString(
        corruptDir.resolve("part-99999-garbage.snappy.parquet"), "not parquet at all");
    spark().catalog().refreshTable("bad_legacy.corrupt");
    spark().range(1).coalesce(1).write().format("parquet").saveAsTable("bad_legacy.slow");
    GateFunction.register(spark(), "bad_legacy");
    Gate.close("bad-input-slow");
  }

  @AfterAll
  static void openGate() {
    Gate.open("bad-input-slow");
  }

  @Test
  void eachBadDatasetFailsWithItsClassAndMessageAndNothingElseChanges() throws IOException {
    // A Delta table whose log lists a data file that someone deleted.
    spark().range(8).repartition(2).write().format("delta").save(path("gone_file"));
    Path deleted;
    try (Stream<Path> files = Files.list(temp.resolve("gone_file"))) {
      deleted = files.filter(f -> f.toString().endsWith(".parquet")).sorted().findFirst().get();
    }
    Files.delete(deleted);
    // A target whose parent is a regular file.
    Files.writeString(temp.resolve("blocker"), "a file where a directory should be");
    // A target directory that holds someone else's data.
    spark().range(3).coalesce(1).write().parquet(path("taken"));
    // A source that will change its schema after planning.
    spark()
        .range(5)
        .selectExpr("id", "CAST(id AS DOUBLE) AS amount", "CAST(id AS STRING) AS note")
        .write()
        .parquet(path("drifting"));

    List<DatasetSpec> specs =
        specs(
            "bad.yaml",
            """
            datasets:
              - id: "%s"
                source: { table: bad_legacy.good }
                target: { table: bad_new.good }
              - id: corrupt
                source: { table: bad_legacy.corrupt }
                target: { table: bad_new.corrupt }
              - id: gone_file
                source: { path: "%s" }
                target: { table: bad_new.gone_file }
              - id: no_file_system
                source: { path: "nofs://bucket/orders", format: parquet }
                target: { table: bad_new.no_file_system }
              - id: unwritable
                source: { table: bad_legacy.good }
                target: { path: "%s" }
              - id: taken
                source: { table: bad_legacy.good }
                target: { path: "%s" }
              - id: drifted
                source: { path: "%s" }
                target: { table: bad_new.drifted }
                transform:
                  rename: { note: remark }
              - id: slow
                source: { table: bad_legacy.slow }
                target: { table: bad_new.slow }
                transform:
                  sql: "SELECT * FROM source WHERE bad_legacy.gate_pass('bad-input-slow') = 'bad-input-slow'"
            """
                .formatted(
                    GOOD_ID.replace("\\", "\\\\").replace("\"", "\\\""),
                    path("gone_file"),
                    path("blocker/orders"),
                    path("taken"),
                    path("drifting")));
    Plan plan = Planner.of(spark()).plan(specs);
    spark()
        .range(5)
        .selectExpr("id", "CAST(id AS DECIMAL(10,2)) AS amount", "'x' AS extra")
        .write()
        .mode("overwrite")
        .parquet(path("drifting"));

    Map<String, Path> sources =
        Map.of(
            "good",
            location("bad_legacy.good"),
            "corrupt",
            location("bad_legacy.corrupt"),
            "slow",
            location("bad_legacy.slow"),
            "gone_file",
            temp.resolve("gone_file"),
            "drifted",
            temp.resolve("drifting"),
            "taken target",
            temp.resolve("taken"),
            "blocker",
            temp.resolve("blocker"));
    Map<String, Map<String, String>> before = new LinkedHashMap<>();
    sources.forEach((name, dir) -> before.put(name, contents(dir)));

    // The dataset over its timeout runs on its own, with a short timeout that no other dataset
    // of a busy machine could reach by being slow.
    List<PlannedDataset> slow =
        plan.datasets().stream().filter(d -> d.spec().id().equals("slow")).toList();
    List<PlannedDataset> others =
        plan.datasets().stream().filter(d -> !d.spec().id().equals("slow")).toList();
    // Most of this wave fails on purpose: the error threshold must not stop it.
    FleetReport first =
        Fleet.of(
                spark(),
                settings(
                    "bad_results",
                    "dsmigrate.fleet.retries",
                    "2",
                    "dsmigrate.fleet.error-threshold.max-failure-rate",
                    "1"))
            .runId(RUN_ID)
            .plan(plan.planId(), 0)
            .execute(others);
    long goodVersion = deltaVersion("bad_new.good");
    FleetReport second =
        Fleet.of(spark(), settings("bad_results", "dsmigrate.fleet.dataset-timeout", "5s"))
            .runId(RUN_ID)
            .plan(plan.planId(), 0)
            .execute(slow);
    FleetReport report =
        new FleetReport(
            RUN_ID, Stream.concat(first.results().stream(), second.results().stream()).toList());

    DatasetResult good = result(report, GOOD_ID);
    assertThat(good.status()).as(good.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(spark().table("bad_new.good").count()).isEqualTo(12);

    String file = temp.resolve("specs/bad.yaml").toString();
    assertFailed(
            report,
            "corrupt",
            ErrorClass.SOURCE_CORRUPT,
            "Cannot migrate corrupt: source file ",
            "part-99999-garbage.snappy.parquet is corrupt: ",
            "is not a Parquet file",
            "Replace or remove that file in source bad_legacy.corrupt, then run again")
        .endsWith("(changes undone)");
    assertFailed(
        report,
        "gone_file",
        ErrorClass.SOURCE_UNREADABLE,
        "Cannot migrate gone_file: source file file:" + deleted,
        " is gone: source " + path("gone_file") + " lists it, but it does not exist",
        "FSCK REPAIR TABLE");
    assertFailed(
        report,
        "no_file_system",
        ErrorClass.SOURCE_UNREADABLE,
        "Cannot migrate no_file_system: cannot read source nofs://bucket/orders",
        "No FileSystem for scheme \"nofs\"",
        "fix source in " + file + ":");
    assertFailed(
        report,
        "unwritable",
        ErrorClass.TARGET_UNWRITABLE,
        "Cannot migrate unwritable: cannot write target " + path("blocker/orders"),
        ": file:" + temp.resolve("blocker") + " is a file, not a directory",
        "The source is kept. Choose a target that can be written in " + file + ":");
    assertFailed(
        report,
        "taken",
        ErrorClass.TARGET_EXISTS,
        "Cannot migrate taken: target " + path("taken") + " already exists",
        "it holds files that carry no commit tag of this dataset. Nothing was changed. Drop or move it, or choose another target in "
            + file
            + ":");
    assertFailed(
        report,
        "drifted",
        ErrorClass.SCHEMA_DRIFT,
        "Cannot migrate drifted: the schema of source "
            + path("drifting")
            + " changed since it was planned (plan "
            + plan.planId()
            + "): column 'amount' changed from DOUBLE to DECIMAL(10,2); column 'note' (STRING) was"
            + " removed; column 'extra' (STRING) was added. Nothing was written. Plan again",
        "check the transform in " + file + ":");
    assertFailed(
        report,
        "slow",
        ErrorClass.TIMEOUT,
        "Cannot migrate slow: still running after the timeout of PT5S; its Spark jobs were"
            + " cancelled and its changes undone",
        "Raise dsmigrate.fleet.dataset-timeout");
    assertThat(deltaVersion("bad_new.good"))
        .as("the good target is untouched")
        .isEqualTo(goodVersion);

    // Retries are for failures that can pass: none of these can.
    for (DatasetResult result : report.failed()) {
      assertThat(result.attempts()).as(result.datasetId()).isEqualTo(1);
    }
    // Every source, the foreign target and the blocking file are byte for byte as they were.
    sources.forEach((name, dir) -> assertThat(contents(dir)).as(name).isEqualTo(before.get(name)));
    // No failed dataset left a target.
    for (String table : List.of("corrupt", "gone_file", "no_file_system", "drifted", "slow")) {
      assertThat(spark().catalog().tableExists("bad_new." + table)).as(table).isFalse();
      assertThat(spark().sessionState().catalog().defaultTablePath(identifier(table)))
          .satisfies(uri -> assertThat(Path.of(uri)).doesNotExist());
    }
    assertThat(temp.resolve("blocker")).isRegularFile();
    // One results row per dataset, found by a run id and dataset ids that would break SQL text.
    Map<String, DatasetResult> recorded =
        ResultsTable.in(spark(), "bad_results").latestOfRun(RUN_ID);
    assertThat(recorded.keySet())
        .containsExactlyInAnyOrder(
            GOOD_ID,
            "corrupt",
            "gone_file",
            "no_file_system",
            "unwritable",
            "taken",
            "drifted",
            "slow");
    List<Row> perDataset =
        spark()
            .table("bad_results.migration_results")
            .groupBy("dataset_id")
            .count()
            .collectAsList();
    assertThat(perDataset).hasSize(8).allSatisfy(row -> assertThat(row.getLong(1)).isEqualTo(1));
    assertThat(recorded.get(GOOD_ID).status()).isEqualTo(Status.SUCCEEDED);
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertFailed(
      FleetReport report, String datasetId, ErrorClass errorClass, String... parts) {
    DatasetResult failed = result(report, datasetId);
    assertThat(failed.status()).as(datasetId).isEqualTo(Status.FAILED);
    assertThat(failed.errorClass()).as(failed.errorMessage()).isEqualTo(errorClass.name());
    assertThat(failed.errorMessage()).startsWith(parts[0]);
    for (String part : parts) {
      assertThat(failed.errorMessage()).contains(part);
    }
    return assertThat(failed.errorMessage());
  }

  private static org.apache.spark.sql.catalyst.TableIdentifier identifier(String table) {
    return SourceResolver.identifier(spark(), "bad_new." + table);
  }

  private static Path location(String table) {
    return Path.of(SourceResolver.catalogTable(spark(), table).location());
  }

  /** Every file under {@code root} (or root itself), relative path to SHA-256 of its bytes. */
  private static Map<String, String> contents(Path root) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        files.put(root.relativize(file).toString(), HexFormat.of().formatHex(digest));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    assertThat(files).as("files under " + root).isNotEmpty();
    return files;
  }
}
