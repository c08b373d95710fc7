package io.dsmigrate.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.plan.ExecutionPath;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Waves: the pilot goes first and gates the rest; a wave over the error threshold rolls back. */
class WavesTest extends JobTestBase {

  @Test
  void pilotCoversEveryKindOfDatasetAndTheRestIsCutIntoWaves() {
    spark().sql("CREATE DATABASE IF NOT EXISTS wv_src");
    StringBuilder yaml = new StringBuilder("datasets:\n");
    // Three kinds: Delta tables copied as they are, Parquet tables renamed, Parquet paths by SQL.
    for (int i = 0; i < 5; i++) {
      spark().range(3 + i).write().format("delta").saveAsTable("wv_src.d" + i);
      yaml.append(
          "  - { id: d%d, source: { table: wv_src.d%d }, target: { table: wv_new.d%d } }\n"
              .formatted(i, i, i));
    }
    for (int i = 0; i < 4; i++) {
      spark().range(3 + i).write().format("parquet").saveAsTable("wv_src.p" + i);
      yaml.append(
          ("  - { id: p%d, source: { table: wv_src.p%d }, target: { table: wv_new.p%d },"
                  + " transform: { rename: { id: key } } }\n")
              .formatted(i, i, i));
    }
    spark().range(4).write().parquet(path("wv-s0"));
    yaml.append(
        "  - { id: s0, source: { path: \"%s\", format: parquet }, target: { table: wv_new.s0 },"
                .formatted(path("wv-s0"))
            + " transform: { sql: \"SELECT id * 2 AS id FROM source\" } }\n");
    List<DatasetSpec> specs = specs("kinds.yaml", yaml.toString());

    Plan plan = Planner.of(spark()).pilot(4).waveSize(2).partitions(2).plan(specs);

    Plan.Wave pilot = plan.pilot();
    assertThat(pilot).isNotNull();
    assertThat(pilot.datasets()).hasSize(4);
    assertThat(pilot.datasets().stream().map(Planner::pilotClass).collect(Collectors.toSet()))
        .as("one of each kind before a second of any")
        .containsExactlyInAnyOrder("delta/none/small", "parquet/columns/small", "parquet/sql/small")
        .hasSize(3);
    assertThat(pilot.datasets().stream().map(d -> d.spec().id()))
        .as("the sole SQL dataset is in the pilot")
        .contains("s0");
    List<Plan.Wave> waves = plan.waves();
    assertThat(waves).extracting(Plan.Wave::index).containsExactly(0, 1, 2, 3);
    assertThat(waves.subList(1, 4))
        .allSatisfy(w -> assertThat(w.datasets()).hasSize(2))
        .allSatisfy(w -> assertThat(w.partitions()).hasSize(2));
    Set<String> all = new HashSet<>();
    waves.forEach(w -> w.datasets().forEach(d -> assertThat(all.add(d.spec().id())).isTrue()));
    assertThat(all).hasSize(10);
    // Partitions are numbered across waves, earlier waves first.
    List<Integer> wavesInPartitionOrder =
        plan.partitions().stream().map(Plan.Partition::wave).toList();
    assertThat(wavesInPartitionOrder).isSorted();
    for (int i = 0; i < plan.partitions().size(); i++) {
      assertThat(plan.partitions().get(i).index()).isEqualTo(i);
    }
    // The plan file keeps the waves.
    java.nio.file.Path file = temp.resolve("plans/waves.json");
    plan.write(file);
    assertThat(Plan.read(file).waves()).isEqualTo(waves);

    assertThat(Planner.of(spark()).pilot(0).plan(specs).pilot()).as("--pilot 0").isNull();
  }

  @Test
  void laterWavesStartOnlyOnceThePilotPassed() {
    spark().sql("CREATE DATABASE IF NOT EXISTS wp_src");
    for (String name : List.of("a", "b", "c", "d", "e")) {
      spark().range(5).write().format("parquet").saveAsTable("wp_src." + name);
    }
    List<DatasetSpec> specs =
        specs(
            "pilot.yaml",
            """
            datasets:
              - { id: a, source: { table: wp_src.a }, target: { table: wp_new.a } }
              - id: bad
                source: { table: wp_src.b }
                target: { table: wp_new.b }
                transform: { cast: { no_such_column: int } }
              - { id: c, source: { table: wp_src.c }, target: { table: wp_new.c } }
              - { id: d, source: { table: wp_src.d }, target: { table: wp_new.d } }
              - { id: e, source: { table: wp_src.e }, target: { table: wp_new.e } }
            """);
    Plan plan = waves(specs, List.of("a", "bad"), List.of("c", "d"));
    Settings settings = settings("wp_results");
    int laterPartition = plan.partitions().get(1).index();

    // A later partition run on its own before the pilot ran is held back.
    FleetReport early =
        JobRunner.run(
            spark(),
            settings,
            plan,
            new JobRunner.Options("run-early", laterPartition, false, false, false),
            quiet());
    assertThat(early.results()).extracting(DatasetResult::status).containsOnly(Status.NOT_STARTED);
    assertThat(early.results().get(0).errorMessage())
        .contains("the pilot wave has not passed", "a (not run yet)", "bad (not run yet)");
    assertThat(early.exitCode()).isEqualTo(1);

    FleetReport first =
        JobRunner.run(spark(), settings, plan, JobRunner.Options.of("run-pilot"), quiet());
    assertThat(statuses(first))
        .containsEntry("a", Status.SUCCEEDED)
        .containsEntry("bad", Status.FAILED)
        .containsEntry("c", Status.NOT_STARTED)
        .containsEntry("d", Status.NOT_STARTED);
    DatasetResult held = result(first, "c");
    assertThat(held.errorClass()).isEqualTo(JobRunner.PILOT_NOT_PASSED);
    assertThat(held.wave()).isEqualTo(1);
    assertThat(held.errorMessage())
        .contains("1 of its 2 datasets did not succeed: bad (FAILED COLUMN_NOT_FOUND)")
        .contains("--ignore-pilot");
    assertThat(spark().catalog().tableExists("wp_new.c")).isFalse();
    assertThat(first.exitCode()).isEqualTo(1);
    Map<String, DatasetResult> recorded =
        ResultsTable.in(spark(), "wp_results").latestOfRun("run-pilot");
    assertThat(recorded.get("c").status()).isEqualTo(Status.NOT_STARTED);
    assertThat(recorded.get("a").wave()).isEqualTo(Plan.PILOT);

    // --pilot-only stops after the pilot, whatever it did, and records nothing for the rest.
    FleetReport pilotOnly =
        JobRunner.run(
            spark(),
            settings,
            plan,
            new JobRunner.Options("run-pilot-only", null, false, true, true),
            quiet());
    assertThat(statuses(pilotOnly)).containsOnlyKeys("a", "bad");

    // --ignore-pilot runs the later waves anyway.
    FleetReport forced =
        JobRunner.run(
            spark(),
            settings,
            plan,
            new JobRunner.Options("run-forced", null, false, false, true),
            quiet());
    assertThat(statuses(forced))
        .containsEntry("a", Status.SKIPPED)
        .containsEntry("bad", Status.FAILED)
        .containsEntry("c", Status.SUCCEEDED)
        .containsEntry("d", Status.SUCCEEDED);
    assertThat(spark().table("wp_new.c").count()).isEqualTo(5);

    // A pilot whose datasets all succeeded (here in an earlier run) lets a later partition go.
    Plan later = waves(specs, List.of("a"), List.of("e"));
    FleetReport passed =
        JobRunner.run(
            spark(),
            settings,
            later,
            new JobRunner.Options(
                "run-passed", later.partitions().get(1).index(), false, false, false),
            quiet());
    assertThat(result(passed, "e").status())
        .as(result(passed, "e").errorMessage())
        .isEqualTo(Status.SUCCEEDED);
    assertThat(spark().table("wp_new.e").count()).isEqualTo(5);
  }

  @Test
  void aWaveOverTheErrorThresholdIsRolledBackWholeAndTheRunExitsThree() {
    spark().sql("CREATE DATABASE IF NOT EXISTS wt_src");
    spark().conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    spark()
        .sql(
            "CREATE TABLE wt_src.hive_inplace (id BIGINT, v STRING) PARTITIONED BY (day DATE)"
                + " STORED AS PARQUET");
    spark()
        .range(12)
        .selectExpr(
            "id",
            "CASE WHEN id % 3 = 0 THEN NULL ELSE 'x' END AS v",
            "date_add(DATE'2024-05-01', CAST(id % 3 AS INT)) AS day")
        .write()
        .insertInto("wt_src.hive_inplace");
    spark()
        .range(8)
        .selectExpr("id", "id * 2 AS twice")
        .write()
        .format("delta")
        .saveAsTable("wt_src.delta_inplace");
    spark().range(6).write().format("parquet").saveAsTable("wt_src.copied");
    spark().range(7).selectExpr("id", "concat('u', id) AS url").write().parquet(path("wt-clicks"));
    for (String name : List.of("b1", "b2", "b3", "c1", "c2")) {
      spark().range(4).write().format("parquet").saveAsTable("wt_src." + name);
    }
    TableState hive = state("wt_src.hive_inplace");
    TableState delta = state("wt_src.delta_inplace");
    TableState copied = state("wt_src.copied");
    List<String> clicks = sortedRows(spark().read().parquet(path("wt-clicks")));
    Set<String> tablesBefore = tables("wt_src", "wt_new");
    List<DatasetSpec> specs =
        specs(
            "threshold.yaml",
            """
            datasets:
              - id: a1
                source: { table: wt_src.hive_inplace }
                target: { table: wt_src.hive_inplace, partitionBy: [ day ] }
              - id: a2
                source: { table: wt_src.delta_inplace }
                target: { table: wt_src.delta_inplace }
                transform: { rename: { twice: doubled } }
              - { id: a3, source: { table: wt_src.copied }, target: { table: wt_new.copied } }
              - { id: a4, source: { path: "%s", format: parquet }, target: { path: "%s" } }
              - { id: b1, source: { table: wt_src.b1 }, target: { table: wt_new.b1 }, transform: { cast: { nope: int } } }
              - { id: b2, source: { table: wt_src.b2 }, target: { table: wt_new.b2 }, transform: { cast: { nope: int } } }
              - { id: b3, source: { table: wt_src.b3 }, target: { table: wt_new.b3 }, transform: { cast: { nope: int } } }
              - { id: c1, source: { table: wt_src.c1 }, target: { table: wt_new.c1 } }
              - { id: c2, source: { table: wt_src.c2 }, target: { table: wt_new.c2 } }
            """
                .formatted(path("wt-clicks"), path("wt-clicks")));
    // One agent thread on the Spark path, in this order: four successes, then failures until the
    // threshold is passed. (The agent path would take the small ones together, in one batch.)
    Plan plan =
        waves(specs, List.of(), List.of("a1", "a2", "a3", "a4", "b1", "b2", "b3", "c1", "c2"));
    Settings settings =
        settings(
            "wt_results",
            "dsmigrate.agent.enabled",
            "false",
            "dsmigrate.fleet.concurrency",
            "1",
            "dsmigrate.fleet.error-threshold.max-failure-rate",
            "0.2",
            "dsmigrate.fleet.error-threshold.min-failures",
            "2");

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    FleetReport report =
        JobRunner.run(
            spark(),
            settings,
            plan,
            JobRunner.Options.of("run-threshold"),
            new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(report.exitCode()).isEqualTo(FleetReport.STOPPED).isEqualTo(3);
    assertThat(report.stoppedBy())
        .isEqualTo(
            "wave 1 stopped by the error threshold: 2 of 6 finished datasets failed (33%, more"
                + " than dsmigrate.fleet.error-threshold.max-failure-rate 20% with at least"
                + " min-failures 2)");
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("Run run-threshold stopped: wave 1");
    assertThat(statuses(report))
        .containsEntry("a1", Status.ROLLED_BACK)
        .containsEntry("a2", Status.ROLLED_BACK)
        .containsEntry("a3", Status.ROLLED_BACK)
        .containsEntry("a4", Status.ROLLED_BACK)
        .containsEntry("b1", Status.FAILED)
        .containsEntry("b2", Status.FAILED)
        .containsEntry("b3", Status.NOT_STARTED)
        .containsEntry("c1", Status.NOT_STARTED)
        .containsEntry("c2", Status.NOT_STARTED);
    assertThat(result(report, "a1").errorMessage())
        .startsWith("rolled back with its wave: wave 1 stopped by the error threshold");
    assertThat(result(report, "c1").errorClass()).isEqualTo(Fleet.ERROR_THRESHOLD);

    // Sources read back identical, targets gone, metastore as before.
    assertThat(state("wt_src.hive_inplace")).isEqualTo(hive);
    assertThat(sortedRows(spark().table("wt_src.delta_inplace"))).isEqualTo(delta.rows());
    assertThat(spark().table("wt_src.delta_inplace").columns()).containsExactly("id", "twice");
    assertThat(state("wt_src.copied")).isEqualTo(copied);
    assertThat(sortedRows(spark().read().parquet(path("wt-clicks")))).isEqualTo(clicks);
    assertThat(new File(path("wt-clicks"), "_delta_log")).doesNotExist();
    assertThat(tables("wt_src", "wt_new")).isEqualTo(tablesBefore);

    // Every dataset has its row; the rolled-back ones come after their SUCCEEDED rows.
    Map<String, DatasetResult> latest =
        ResultsTable.in(spark(), "wt_results").latestOfRun("run-threshold");
    assertThat(latest).hasSize(9);
    assertThat(latest.get("a3").status()).isEqualTo(Status.ROLLED_BACK);
    assertThat(latest.get("a3").errorClass()).isEqualTo(Fleet.ERROR_THRESHOLD);
    assertThat(latest.get("c2").status()).isEqualTo(Status.NOT_STARTED);
    assertThat(
            spark()
                .sql(
                    "SELECT count(*) FROM wt_results.migration_results WHERE run_id ="
                        + " 'run-threshold' AND status = 'SUCCEEDED'")
                .first()
                .getLong(0))
        .isEqualTo(4);

    // A partition of a later wave run on its own after that is held back too.
    Plan twoWaves = waves(specs, List.of(), List.of("a1", "b1", "b2"), List.of("c1"));
    FleetReport laterPartition =
        JobRunner.run(
            spark(),
            settings,
            twoWaves,
            new JobRunner.Options(
                "run-threshold", twoWaves.partitions().get(1).index(), false, false, false),
            quiet());
    assertThat(result(laterPartition, "c1").status()).isEqualTo(Status.NOT_STARTED);
    assertThat(result(laterPartition, "c1").errorMessage())
        .contains("wave 1 of run run-threshold was stopped by the error threshold");
    assertThat(spark().catalog().tableExists("wt_new.c1")).isFalse();

    // Once the cause is fixed, the plan runs again from the start.
    FleetReport again =
        JobRunner.run(
            spark(),
            settings,
            waves(
                specs.stream().filter(s -> s.id().startsWith("a")).toList(),
                List.of(),
                List.of("a1", "a2", "a3", "a4")),
            JobRunner.Options.of("run-again"),
            quiet());
    assertThat(again.exitCode()).isZero();
    assertThat(statuses(again).values()).containsOnly(Status.SUCCEEDED);
  }

  @Test
  void onTheAgentPathAWaveOverTheErrorThresholdIsRolledBackWholeToo() {
    spark().sql("CREATE DATABASE IF NOT EXISTS wa_src");
    StringBuilder yaml = new StringBuilder("datasets:\n");
    List<String> good = List.of("g1", "g2", "g3", "g4", "g5", "g6");
    for (String name : good) {
      spark().range(5).selectExpr("id", "id * 2 AS twice").write().saveAsTable("wa_src." + name);
      yaml.append(
          "  - { id: %s, source: { table: wa_src.%s }, target: { table: wa_new.%s }, transform: { rename: { twice: doubled } } }\n"
              .formatted(name, name, name));
    }
    for (String name : List.of("f1", "f2")) {
      spark().range(5).write().saveAsTable("wa_src." + name);
      yaml.append(
          "  - { id: %s, source: { table: wa_src.%s }, target: { table: wa_new.%s }, transform: { cast: { nope: int } } }\n"
              .formatted(name, name, name));
    }
    List<DatasetSpec> specs = specs("agent-threshold.yaml", yaml.toString());
    Plan plan = Planner.of(spark()).plan(specs);
    assertThat(plan.datasets())
        .allSatisfy(d -> assertThat(d.path()).isEqualTo(ExecutionPath.AGENT));
    Settings settings =
        settings(
            "wa_results",
            "dsmigrate.fleet.error-threshold.max-failure-rate",
            "0.2",
            "dsmigrate.fleet.error-threshold.min-failures",
            "2");

    FleetReport report =
        JobRunner.run(spark(), settings, plan, JobRunner.Options.of("run-wa"), quiet());

    // The agents migrated the good ones; the failures (their transform does not bind) were
    // reported on the Spark path; the wave was then rolled back whole, agents' targets included.
    assertThat(report.exitCode()).isEqualTo(FleetReport.STOPPED);
    assertThat(report.stoppedBy()).startsWith("wave 1 stopped by the error threshold: 2 of ");
    assertThat(report.byAgents()).isEqualTo(good.size());
    Map<String, Status> statuses = statuses(report);
    for (String name : good) {
      assertThat(statuses).containsEntry(name, Status.ROLLED_BACK);
      assertThat(spark().catalog().tableExists("wa_new." + name)).as(name).isFalse();
      String location = result(report, name).targetLocation();
      assertThat(location).as(name).isNotNull();
      assertThat(new File(java.net.URI.create(location))).as(name).doesNotExist();
      assertThat(spark().table("wa_src." + name).columns()).containsExactly("id", "twice");
      assertThat(spark().table("wa_src." + name).count()).isEqualTo(5);
    }
    assertThat(statuses).containsEntry("f1", Status.FAILED).containsEntry("f2", Status.FAILED);
    assertThat(result(report, "f1").errorMessage()).contains("nope");
    assertThat(
            spark()
                .sql(
                    "SELECT count(*) FROM wa_results.migration_results WHERE run_id = 'run-wa'"
                        + " AND status = 'SUCCEEDED'")
                .first()
                .getLong(0))
        .isEqualTo(good.size());
  }

  /**
   * A plan with the given datasets in the given order, wave by wave (no pilot if the first is
   * empty).
   */
  @SafeVarargs
  private Plan waves(List<DatasetSpec> specs, List<String> pilot, List<String>... later) {
    Map<String, PlannedDataset> planned =
        Planner.of(spark()).plan(specs).datasets().stream()
            .collect(Collectors.toMap(d -> d.spec().id(), Function.identity()));
    List<Plan.Partition> partitions = new ArrayList<>();
    if (!pilot.isEmpty()) {
      partitions.add(
          new Plan.Partition(0, Plan.PILOT, 0, pilot.stream().map(planned::get).toList()));
    }
    for (int i = 0; i < later.length; i++) {
      if (!later[i].isEmpty()) {
        partitions.add(
            new Plan.Partition(
                partitions.size(), i + 1, 0, later[i].stream().map(planned::get).toList()));
      }
    }
    return new Plan("plan-waves", "now", partitions);
  }

  private static Map<String, Status> statuses(FleetReport report) {
    return report.results().stream()
        .collect(Collectors.toMap(DatasetResult::datasetId, DatasetResult::status));
  }

  private static Set<String> tables(String... databases) {
    Set<String> names = new HashSet<>();
    for (String database : databases) {
      if (spark().catalog().databaseExists(database)) {
        Arrays.stream(
                (String[])
                    spark()
                        .sql("SHOW TABLES IN " + database)
                        .select("tableName")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collect())
            .forEach(t -> names.add(database + "." + t));
      }
    }
    return names;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
