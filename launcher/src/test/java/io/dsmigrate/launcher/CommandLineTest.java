package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The command line as people and scripts use it: exit codes, output, what is (not) written. */
class CommandLineTest extends SparkTestBase {
  private Outcome dsmigrate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--workdir");
    all.add(2, temp.resolve("work").toString());
    return Cli.dsmigrate(all.toArray(String[]::new));
  }

  @Test
  void planWithBrokenSpecsExitsTwoListsEveryProblemAndWritesNothing() throws Exception {
    Path specs = temp.resolve("specs");
    Files.createDirectories(specs);
    Files.writeString(
        specs.resolve("a.yaml"),
        "datasets:\n  - id: a\n    source: { table: x.a }\n    target: { table: y.a }\n    transfrom: { drop: [ b ] }\n");
    Files.writeString(
        specs.resolve("b.yaml"),
        "id: b\nsource: { table: x.b }\ntarget: { table: y.a }\ntransform:\n  cast: { c: \"nonsense type\" }\n");
    Path out = temp.resolve("plan.json");
    Outcome outcome = dsmigrate("plan", "--specs", specs.toString(), "--out", out.toString());
    assertThat(outcome.code()).isEqualTo(2);
    assertThat(outcome.err())
        .contains("problems in the specs; nothing was migrated")
        .contains(specs.resolve("a.yaml") + ":5: a: transfrom: unknown field")
        .contains(
            specs.resolve("b.yaml")
                + ":5: b: transform.cast.c: 'nonsense type' is not a Spark SQL type")
        .contains(specs.resolve("b.yaml") + ":3: b: target: writes the same target as a");
    assertThat(out).doesNotExist();
    assertThat(temp.resolve("work/plans")).doesNotExist();
  }

  @Test
  void pauseWritesARequestThatStandsUntilResumeLiftsIt() {
    Outcome pause = dsmigrate("pause", "--run", "nightly-1");
    assertThat(pause.code()).as(pause.err()).isZero();
    assertThat(pause.out())
        .startsWith("Pause requested for run nightly-1 (")
        .contains("records the rest PAUSED and exits 4")
        .contains("dsmigrate resume --run nightly-1");
    assertThat(temp.resolve("work/control/nightly-1.pause")).exists();

    Outcome resume = dsmigrate("resume", "--run", "nightly-1");
    assertThat(resume.code()).as(resume.err()).isZero();
    assertThat(resume.out())
        .isEqualTo(
            "Pause of run nightly-1 lifted. Run it again with --run-id nightly-1 to migrate the"
                + " rest.\n");
    assertThat(temp.resolve("work/control/nightly-1.pause")).doesNotExist();

    Outcome again = dsmigrate("resume", "--run", "nightly-1");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("Run nightly-1 has no pause request at ");
  }

  @Test
  void aRunWhoseWavePassesTheErrorThresholdRollsItBackAndExitsThree() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS cli_wave");
    spark().range(6).write().format("parquet").saveAsTable("cli_wave.good");
    spark().range(6).write().format("parquet").saveAsTable("cli_wave.also_good");
    Path specs = temp.resolve("wave-specs");
    Files.createDirectories(specs);
    Files.writeString(
        specs.resolve("wave.yaml"),
        """
        datasets:
          - { id: good, source: { table: cli_wave.good }, target: { table: cli_wave_new.good } }
          - id: also_good
            source: { table: cli_wave.also_good }
            target: { table: cli_wave_new.also_good }
            transform: { rename: { id: key } }
          - { id: gone_1, source: { table: cli_wave.gone_1 }, target: { table: cli_wave_new.g1 } }
          - { id: gone_2, source: { table: cli_wave.gone_2 }, target: { table: cli_wave_new.g2 } }
        """);
    String results = "-Ddsmigrate.results.database=cli_wave_results";

    Outcome plan =
        dsmigrate(
            "plan", "--specs", specs.toString(), "--pilot", "1", "--out", path("wave-plan.json"));
    assertThat(plan.out())
        .contains("4 datasets in 2 waves, 2 partitions")
        .containsPattern("Pilot wave: 1 datasets in 1 partitions, covering parquet/\\w+/small")
        .contains("Warning: the pilot does not cover parquet/")
        .contains("Wave 1: 3 datasets in 1 partitions");

    Outcome run =
        dsmigrate(
            "run",
            "--specs",
            specs.toString(),
            "--pilot",
            "0",
            "--concurrency",
            "1",
            "-Ddsmigrate.fleet.error-threshold.min-failures=2",
            results);
    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(3);
    assertThat(run.out())
        .contains("stopped: wave 1 stopped by the error threshold: 2 of")
        .contains("FAILED gone_1 [SOURCE_NOT_FOUND]");
    assertThat(spark().catalog().tableExists("cli_wave_new.good")).isFalse();
    assertThat(spark().catalog().tableExists("cli_wave_new.also_good")).isFalse();
    Outcome latest =
        dsmigrate(
            "sql",
            "SELECT count(*) FROM cli_wave_results.migration_results WHERE status = 'SUCCEEDED'"
                + " AND dataset_id NOT IN (SELECT dataset_id FROM"
                + " cli_wave_results.migration_results WHERE status = 'ROLLED_BACK')",
            "--format",
            "tsv",
            results);
    assertThat(latest.out().lines().toList()).last().isEqualTo("0");
    Outcome status = dsmigrate("status", results);
    assertThat(status.code()).isEqualTo(1);
    assertThat(status.out()).containsPattern("FAILED\\s+2").contains("[SOURCE_NOT_FOUND]");
  }

  @Test
  void badUsageExitsTwo() {
    assertThat(dsmigrate("run").code()).isEqualTo(2);
    assertThat(dsmigrate("sql", "SELECT 1", "--format", "xml").code()).isEqualTo(2);
  }

  @Test
  void demoRunsMigratesEveryShapeAndTheResultsCanBeQueriedRolledBackAndRerun() throws Exception {
    String results = "-Ddsmigrate.results.database=cli_results";
    DemoDatabases.dropAll(spark());
    Outcome demo = dsmigrate("demo", "--datasets", "8", results);
    assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out()).contains("SUCCEEDED=8");

    Outcome sql =
        dsmigrate(
            "sql",
            "SELECT status, count(*) AS n, min(content_match) AS all_match FROM cli_results.migration_results GROUP BY status",
            "--format",
            "tsv",
            results);
    assertThat(sql.code()).isZero();
    assertThat(sql.out().lines().toList())
        .containsExactly("status\tn\tall_match", "SUCCEEDED\t8\ttrue");

    Outcome table =
        dsmigrate(
            "sql", "SELECT error_message FROM cli_results.migration_results LIMIT 1", results);
    assertThat(table.out()).contains("| error_message |").contains("| NULL").contains("(1 row)");

    Outcome status = dsmigrate("status", results);
    assertThat(status.code()).isZero();
    assertThat(status.out()).containsPattern("SUCCEEDED\\s+8");

    String runId =
        spark().sql("SELECT max(run_id) FROM cli_results.migration_results").first().getString(0);
    Dataset<Row> inventory = spark().table("legacy.inventory_4");
    assertThat(spark().sql("DESCRIBE DETAIL legacy.inventory_4").first().<String>getAs("format"))
        .isEqualTo("delta");
    long inventoryRows = inventory.count();

    Outcome rollback = dsmigrate("rollback", "--run", runId, results);
    assertThat(rollback.code()).as(rollback.out() + rollback.err()).isZero();
    assertThat(rollback.out()).contains("Rolled back 8 of 8 datasets");
    assertThat(spark().catalog().tableExists("sales.orders_0")).isFalse();
    String provider =
        spark()
            .sql("DESCRIBE TABLE EXTENDED legacy.inventory_4")
            .where("col_name = 'Provider'")
            .first()
            .getString(1);
    assertThat(provider).isEqualTo("hive");
    assertThat(spark().table("legacy.inventory_4").count()).isEqualTo(inventoryRows);

    Outcome rerun = dsmigrate("run", "--specs", temp.resolve("work/specs").toString(), results);
    assertThat(rerun.code()).as(rerun.out() + rerun.err()).isZero();
    assertThat(rerun.out()).contains("SUCCEEDED=8");
    Outcome again = dsmigrate("run", "--specs", temp.resolve("work/specs").toString(), results);
    assertThat(again.out()).contains("SKIPPED=8");

    Files.writeString(
        temp.resolve("work/specs/broken.yaml"),
        "id: broken\nsource: { table: legacy.nothing_here }\ntarget: { table: sales.broken }\n");
    Outcome partly = dsmigrate("run", "--specs", temp.resolve("work/specs").toString(), results);
    assertThat(partly.code()).isEqualTo(1);
    assertThat(partly.out())
        .contains("SKIPPED=8")
        .contains("FAILED=1")
        .contains("FAILED broken [SOURCE_NOT_FOUND]");
    Outcome failedStatus = dsmigrate("status", results);
    assertThat(failedStatus.code()).isEqualTo(1);
    assertThat(failedStatus.out())
        .contains(
            "FAILED broken [SOURCE_NOT_FOUND] Cannot migrate broken: source table legacy.nothing_here does not exist");
  }
}
