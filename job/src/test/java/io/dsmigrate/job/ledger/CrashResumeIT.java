package io.dsmigrate.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Kills the job's driver at different steps and runs the same plan again, until every dataset is
 * done: each must end SUCCEEDED exactly once, its target holding exactly its rows, written once,
 * with nothing left in flight. Each run is a child JVM running the job's main class; it is killed
 * by its own halt (as abrupt as SIGKILL, at an exact point the ledger records) or by a real SIGKILL
 * from this test while a dataset is being written.
 */
class CrashResumeIT extends SparkTestBase {
  /** Dataset id → rows, in the order the plan runs them (two at a time). */
  private static final Map<String, Integer> ROWS = new LinkedHashMap<>();

  static {
    ROWS.put("copy_inplace", 60);
    ROWS.put("x1", 50);
    ROWS.put("delta_inplace", 70);
    ROWS.put("x2", 30);
    ROWS.put("to_table", 40);
    ROWS.put("e1", 45);
    ROWS.put("e2", 35);
    ROWS.put("e3", 25);
  }

  private Path workdir;
  private Path planFile;
  private List<String> extraSettings = List.of();

  @Test
  void killedAtAnyStepEveryDatasetEndsMigratedExactlyOnce() throws Exception {
    // The Spark path only: its datasets run in plan order, so each halt comes after the last.
    // (The agent path runs its datasets in one batch; it is killed in the test below.)
    extraSettings = List.of("-Ddsmigrate.agent.enabled=false");
    workdir = temp.resolve("work");
    planFile = writePlan();
    Ledger ledger =
        Ledger.open(workdir.resolve("ledger").toString(), "dsmigrate", new Configuration());

    // In-place Parquet source: halted after its snapshot was taken, before it was cleared.
    Child first = start("crash-run", "copy_inplace:SNAPSHOTTED");
    assertThat(first.awaitExit()).as(first.output()).isEqualTo(HaltPoint.STATUS);
    assertThat(ledger.head("copy_inplace").state()).isEqualTo(LedgerState.SNAPSHOTTED);

    // In-place Delta source: halted after the target write committed, before validation.
    Child second = start("crash-run", "delta_inplace:WRITTEN");
    assertThat(second.awaitExit()).as(second.output()).isEqualTo(HaltPoint.STATUS);
    assertThat(ledger.head("delta_inplace").state()).isEqualTo(LedgerState.WRITTEN);

    // Validated, outcome recorded in the ledger, results row not appended yet.
    Child third = start("crash-run", "to_table:SUCCEEDED");
    assertThat(third.awaitExit()).as(third.output()).isEqualTo(HaltPoint.STATUS);
    assertThat(ledger.head("to_table").state()).isEqualTo(LedgerState.SUCCEEDED);
    assertThat(ledger.head("to_table").recorded()).isFalse();

    // A real SIGKILL while a dataset is being written or validated.
    Child fourth = start("crash-run", "");
    LedgerEntry caught = fourth.awaitLedger(ledger);
    fourth.process.destroyForcibly();
    assertThat(fourth.awaitExit()).isEqualTo(HaltPoint.STATUS);
    assertThat(ledger.head(caught.datasetId()).holdsLease())
        .as("killed while " + caught.describe())
        .isTrue();

    // A new run of the same plan finishes everything.
    Child last = start("crash-final", "");
    assertThat(last.awaitExit()).as(last.output()).isZero();
    assertThat(last.output()).contains("Run crash-final:").doesNotContain("FAILED");

    Dataset<Row> results = results();
    assertThat(results.where("status NOT IN ('SUCCEEDED', 'SKIPPED')").count())
        .as("no dataset failed or was left running")
        .isZero();
    Map<String, Long> succeeded = new TreeMap<>();
    results
        .where("status = 'SUCCEEDED'")
        .groupBy("dataset_id")
        .count()
        .collectAsList()
        .forEach(row -> succeeded.put(row.getString(0), row.getLong(1)));
    assertThat(succeeded)
        .as("every dataset succeeded exactly once")
        .isEqualTo(
            ROWS.keySet().stream()
                .collect(
                    Collectors.toMap(Function.identity(), id -> 1L, (a, b) -> a, TreeMap::new)));
    assertThat(results.where("status = 'SUCCEEDED' AND NOT content_match").count()).isZero();

    Collection<LedgerEntry> heads = ledger.heads().values();
    assertThat(heads).hasSize(ROWS.size());
    assertThat(heads)
        .allSatisfy(
            head -> {
              assertThat(head.state()).as(head.datasetId()).isEqualTo(LedgerState.SUCCEEDED);
              assertThat(head.holdsLease()).as(head.describe()).isFalse();
            });

    for (Map.Entry<String, Integer> dataset : ROWS.entrySet()) {
      String location = targetLocation(dataset.getKey());
      Dataset<Row> target = spark().read().format("delta").load(location);
      long rows = dataset.getValue();
      assertThat(target.count()).as(dataset.getKey()).isEqualTo(rows);
      assertThat(target.distinct().count())
          .as(dataset.getKey() + " has no duplicates")
          .isEqualTo(rows);
      assertThat(
              spark()
                  .sql("DESCRIBE HISTORY delta.`" + location + "`")
                  .where(
                      Ownership.COMMIT_TAG_SQL
                          + " LIKE 'dsmigrate %' AND operation IN ('WRITE', 'CREATE TABLE AS"
                          + " SELECT', 'CREATE OR REPLACE TABLE AS SELECT', 'REPLACE TABLE AS"
                          + " SELECT', 'CREATE TABLE')")
                  .count())
          .as(dataset.getKey() + " was written once")
          .isEqualTo(1);
    }
    // The sources replaced in place hold their own rows, transformed, once.
    assertThat(sortedRows(spark().read().format("delta").load(path("copy_inplace"))))
        .isEqualTo(sortedRows(source(60).withColumnRenamed("label", "name")));
    assertThat(sortedRows(spark().read().format("delta").load(path("delta_inplace"))))
        .isEqualTo(sortedRows(source(70).selectExpr("*", "'legacy' AS source_system")));
  }

  @Test
  void agentsKilledAfterTheirCommitsEveryDatasetEndsMigratedOnce() throws Exception {
    workdir = temp.resolve("agents-work");
    Map<String, Integer> rows = new LinkedHashMap<>();
    rows.put("a_path", 40);
    rows.put("a_table", 30);
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (Map.Entry<String, Integer> dataset : rows.entrySet()) {
      String id = dataset.getKey();
      source(dataset.getValue()).write().parquet(path(id));
      yaml.append("  - id: ").append(id).append('\n');
      yaml.append("    source: { path: \"").append(path(id)).append("\" }\n");
      yaml.append(
          id.equals("a_path")
              ? "    target: { path: \"" + path(id + "_out") + "\" }\n"
              : "    target: { table: crash_agents.a_table }\n");
    }
    Path specs = temp.resolve("agents.yaml");
    Files.writeString(specs, yaml);
    Plan planned = Planner.of(spark()).plan(SpecLoader.load(List.of(specs)).orThrow());
    assertThat(planned.datasets())
        .allMatch(d -> d.path() == io.dsmigrate.job.plan.ExecutionPath.AGENT, "agent path");
    Map<String, PlannedDataset> byId = new LinkedHashMap<>();
    planned.datasets().forEach(dataset -> byId.put(dataset.spec().id(), dataset));
    planFile = temp.resolve("agents-plan.json");
    new Plan(
            planned.planId(),
            planned.createdAt(),
            List.of(
                new Plan.Partition(
                    0,
                    1,
                    planned.partitions().get(0).sizeBytes(),
                    rows.keySet().stream().map(byId::get).toList())))
        .write(planFile);
    Ledger ledger =
        Ledger.open(workdir.resolve("ledger").toString(), "dsmigrate", new Configuration());
    String tableLocation = workdir.resolve("warehouse/crash_agents.db/a_table").toString();

    // Both datasets' agents committed; the driver dies once the first one's commit is recorded,
    // before its outcome, and before the second's table is registered.
    Child killed = start("agents-run", "a_path:WRITTEN");
    assertThat(killed.awaitExit()).as(killed.output()).isEqualTo(HaltPoint.STATUS);
    assertThat(ledger.head("a_path").state()).isEqualTo(LedgerState.WRITTEN);
    assertThat(ledger.head("a_table").state()).isEqualTo(LedgerState.WRITING);
    assertThat(io.delta.tables.DeltaTable.isDeltaTable(spark(), tableLocation))
        .as("the second dataset's agent committed before the driver died")
        .isTrue();

    // The next run validates the first's commit, found by its tag, and undoes the second's (its
    // table was never registered: the write is not whole), then migrates it again.
    Child last = start("agents-final", "");
    assertThat(last.awaitExit()).as(last.output()).isZero();
    Dataset<Row> results =
        spark()
            .read()
            .format("delta")
            .load(workdir.resolve("warehouse/dsmigrate.db/migration_results").toString());
    assertThat(results.where("status NOT IN ('SUCCEEDED', 'SKIPPED')").count()).isZero();
    assertThat(sortedRows(results.where("status = 'SUCCEEDED'").groupBy("dataset_id").count()))
        .containsExactly("[a_path,1]", "[a_table,1]");
    for (String id : rows.keySet()) {
      assertThat(ledger.head(id).state()).isEqualTo(LedgerState.SUCCEEDED);
      assertThat(ledger.head(id).holdsLease()).isFalse();
      String location = id.equals("a_path") ? path(id + "_out") : tableLocation;
      Dataset<Row> target = spark().read().format("delta").load(location);
      long expected = rows.get(id);
      assertThat(target.count()).as(id).isEqualTo(expected);
      assertThat(target.distinct().count()).as(id + " has no duplicates").isEqualTo(expected);
      assertThat(
              spark()
                  .sql("DESCRIBE HISTORY delta.`" + location + "`")
                  .where(Ownership.COMMIT_TAG_SQL + " LIKE 'dsmigrate %'")
                  .count())
          .as(id + " was written once")
          .isEqualTo(1);
    }
  }

  private Path writePlan() throws Exception {
    for (Map.Entry<String, Integer> dataset : ROWS.entrySet()) {
      String id = dataset.getKey();
      Dataset<Row> rows = source(dataset.getValue()).repartition(2);
      if (id.equals("delta_inplace")) {
        rows.write().format("delta").save(path(id));
      } else {
        rows.write().parquet(path(id));
      }
    }
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (String id : ROWS.keySet()) {
      yaml.append("  - id: ").append(id).append('\n');
      yaml.append("    source: { path: \"").append(path(id)).append("\" }\n");
      switch (id) {
        case "copy_inplace" ->
            yaml.append("    target: { path: \"")
                .append(path(id))
                .append("\" }\n    transform: { rename: { label: name } }\n");
        case "delta_inplace" ->
            yaml.append("    target: { path: \"")
                .append(path(id))
                .append("\" }\n    transform: { add: { source_system: \"'legacy'\" } }\n");
        case "x2", "to_table" ->
            yaml.append("    target: { table: crash.").append(id).append(" }\n");
        case "e1" ->
            yaml.append("    target: { path: \"")
                .append(path(id + "_out"))
                .append("\", partitionBy: [ part ] }\n");
        default -> yaml.append("    target: { path: \"").append(path(id + "_out")).append("\" }\n");
      }
    }
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(specs, yaml);
    Plan planned = Planner.of(spark()).plan(SpecLoader.load(List.of(specs)).orThrow());
    // In the order above (the planner orders by size), so each halt comes after the last.
    Map<String, PlannedDataset> byId = new LinkedHashMap<>();
    planned.datasets().forEach(dataset -> byId.put(dataset.spec().id(), dataset));
    List<PlannedDataset> ordered = ROWS.keySet().stream().map(byId::get).toList();
    Plan plan =
        new Plan(
            planned.planId(),
            planned.createdAt(),
            List.of(new Plan.Partition(0, 1, planned.partitions().get(0).sizeBytes(), ordered)));
    Path file = temp.resolve("plan.json");
    plan.write(file);
    return file;
  }

  private static Dataset<Row> source(int rows) {
    return spark()
        .range(rows)
        .selectExpr("id", "concat('label-', id) AS label", "CAST(id % 3 AS INT) AS part");
  }

  private String targetLocation(String id) {
    return switch (id) {
      case "copy_inplace", "delta_inplace" -> path(id);
      case "x2", "to_table" -> workdir.resolve("warehouse/crash.db/" + id).toString();
      default -> path(id + "_out");
    };
  }

  private Dataset<Row> results() {
    return spark()
        .read()
        .format("delta")
        .load(workdir.resolve("warehouse/dsmigrate.db/migration_results").toString());
  }

  private Child start(String runId, String haltAfter, String... settings) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        Arrays.asList(System.getProperty("dsmigrate.jvm.flags", "").trim().split("\\s+")));
    // A short-lived driver: quick JIT, no UI, few shuffle partitions for tiny tables.
    command.add("-Xmx1g");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dspark.ui.enabled=false");
    command.add("-Dspark.sql.shuffle.partitions=2");
    // Derby still writes every metastore commit before it returns (a killed JVM loses none of
    // them); it only skips forcing them to the disk, which only a machine crash would need.
    command.add("-Dderby.system.durability=test");
    String logConfig = System.getProperty("log4j2.configurationFile");
    if (logConfig != null) {
      command.add("-Dlog4j2.configurationFile=" + logConfig);
    }
    // The job's main class on this JVM's classpath: the job, Spark, Delta, the test log config.
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(
        List.of(
            "io.dsmigrate.job.MigrationJobMain",
            "--plan",
            planFile.toString(),
            "--partition",
            "0",
            "--run-id",
            runId,
            "--workdir",
            workdir.toString(),
            "-Ddsmigrate.fleet.concurrency=2",
            "-Ddsmigrate.testing.halt-after=" + haltAfter));
    command.addAll(extraSettings);
    command.addAll(List.of(settings));
    Path log = Files.createTempFile(temp, "child-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new Child(builder.start(), log);
  }

  /** A job run in its own JVM. */
  private record Child(Process process, Path log) {
    int awaitExit() throws Exception {
      assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("the job ended in time").isTrue();
      return process.exitValue();
    }

    String output() throws Exception {
      return Files.readString(log);
    }

    /** Waits until one of this process's datasets is being written or validated. */
    LedgerEntry awaitLedger(Ledger ledger) throws Exception {
      long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(5);
      while (System.currentTimeMillis() < deadline && process.isAlive()) {
        for (LedgerEntry head : ledger.heads().values()) {
          if (head.owner().pid() == process.pid()
              && (head.state() == LedgerState.WRITING || head.state() == LedgerState.WRITTEN)) {
            return head;
          }
        }
        Thread.sleep(50);
      }
      throw new AssertionError(
          "the job never got to write a dataset: " + (process.isAlive() ? "" : output()));
    }
  }
}
