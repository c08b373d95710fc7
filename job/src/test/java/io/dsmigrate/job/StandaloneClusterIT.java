package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.job.submit.JobArguments;
import io.dsmigrate.job.submit.SparkSubmitCommand;
import io.dsmigrate.testing.ChildJvm;
import io.dsmigrate.testing.SparkTestBase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A plan partition on a real Spark standalone cluster (a master and two one-core workers on
 * 127.0.0.1), submitted through spark-submit with {@code --master spark://...}. One executor JVM is
 * killed while the agents migrate the small datasets (the slow one among them) in an executor task:
 * Spark must run the lost task again on the executors left and the one the worker relaunches, the
 * second run must clear what the first wrote (only that: its own file and tagged commit), and every
 * dataset must still be migrated exactly once and validated.
 */
class StandaloneClusterIT extends SparkTestBase {
  private static final String SLOW = "slow.events";
  private static final String RUN = "run-cluster";

  @Test
  void aPartitionCompletesAndValidatesAfterAnExecutorIsKilledMidRun() throws Exception {
    String jar = System.getProperty("dsmigrate.job.jar");
    assertThat(jar).as("the failsafe configuration names the job jar").isNotNull();
    assertThat(new File(jar)).exists();
    Path planFile = temp.resolve("plan.json");
    Path workdir = temp.resolve("work");
    Path log = temp.resolve("submit.log");
    Map<String, Long> rows;
    String killed;
    try (StandaloneCluster cluster = StandaloneCluster.start(temp.resolve("cluster"), 2)) {
      rows = writeSourcesAndSpecs();
      Planner.of(spark())
          .partitions(1)
          .plan(SpecLoader.load(List.of(temp.resolve("specs.yaml"))).orThrow())
          .write(planFile);
      cluster.awaitWorkers();
      List<String> sparkSubmit =
          new ArrayList<>(SparkSubmitCommand.sparkSubmitClass(cluster.classpath()));
      sparkSubmit.addAll(1, StandaloneCluster.SHORT_LIVED_JVM);
      SparkSubmitCommand command =
          new SparkSubmitCommand(
              sparkSubmit,
              cluster.masterUrl(),
              null,
              jar,
              Map.of(
                  // The test watches the job through the driver's REST API.
                  "spark.ui.enabled",
                  "true",
                  "spark.executor.extraJavaOptions",
                  String.join(" ", StandaloneCluster.SHORT_LIVED_JVM),
                  // Two cores in all: as many partitions as cores.
                  "spark.sql.shuffle.partitions",
                  "2",
                  "spark.databricks.delta.snapshotPartitions",
                  "2"),
              new JobArguments(planFile.toString(), 0, RUN, workdir.toString(), null, Map.of()));
      ProcessBuilder builder =
          new ProcessBuilder(command.arguments())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().putAll(cluster.environment());
      Process driver = builder.start();
      try {
        killed = killABusyExecutorWhileTheSlowDatasetIsWritten(cluster, driver, log);
        assertThat(driver.waitFor(6, TimeUnit.MINUTES))
            .as("spark-submit finished in time")
            .isTrue();
        String output = Files.readString(log);
        assertThat(driver.exitValue()).as(output).isZero();
        assertThat(output).contains("Run " + RUN + ": SUCCEEDED=" + rows.size());
        assertThat(output)
            .as("the driver lost the executor that was killed")
            .contains("Lost executor " + killed + " on 127.0.0.1");
      } finally {
        if (driver.isAlive()) {
          ChildJvm.destroy(driver.toHandle());
        }
      }
    }

    Dataset<Row> results =
        spark()
            .read()
            .format("delta")
            .load(workdir.resolve("warehouse/dsmigrate.db/migration_results").toString())
            .where("run_id = '" + RUN + "'");
    List<String> expected = new ArrayList<>();
    rows.forEach((id, count) -> expected.add("[" + id + ",SUCCEEDED,true," + count + "]"));
    assertThat(
            sortedRows(results.selectExpr("dataset_id", "status", "content_match", "target_rows")))
        .containsExactlyInAnyOrderElementsOf(expected);
    for (String id : rows.keySet()) {
      assertThat(spark().read().format("delta").load(path("target/" + id)).count())
          .as("rows of %s", id)
          .isEqualTo(rows.get(id));
    }
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(path("target/" + SLOW))
                .select("id")
                .distinct()
                .count())
        .as("no row of the dataset written while its executor was killed is there twice")
        .isEqualTo(rows.get(SLOW));
  }

  /**
   * Five small datasets with every kind of transform, and one whose transform does real work for
   * every row, in two files, so that its write keeps both executors busy for a few seconds.
   */
  private Map<String, Long> writeSourcesAndSpecs() throws Exception {
    Map<String, Long> rows = new LinkedHashMap<>();
    StringBuilder specs = new StringBuilder("datasets:\n");
    String[] transforms = {
      "{ rename: { code: code_id } }",
      "{ cast: { code: \"decimal(10,0)\" } }",
      "{ drop: [ name ] }",
      "{ add: { source_system: \"'legacy'\" } }",
      "{ sql: \"SELECT id, upper(name) AS name FROM source\" }"
    };
    for (int i = 0; i < transforms.length; i++) {
      String id = "quick.q" + i;
      long count = 300L * (i + 1);
      spark()
          .range(count)
          .selectExpr("id", "CAST(id % 7 AS INT) AS code", "concat('n', id) AS name")
          .write()
          .parquet(path("source/" + id));
      rows.put(id, count);
      specs.append(spec(id, transforms[i]));
    }
    long slowRows = 6_000;
    spark()
        .range(0, slowRows, 1, 2)
        .selectExpr("id", "CAST(id * 1.5 AS DOUBLE) AS amount")
        .write()
        .parquet(path("source/" + SLOW));
    rows.put(SLOW, slowRows);
    specs.append(
        spec(
            SLOW,
            "{ add: { checksum: \"aggregate(sequence(1, 1500), id, (acc, x) -> (acc * 31 + x) % 1000003)\" } }"));
    Files.writeString(temp.resolve("specs.yaml"), specs);
    return rows;
  }

  private String spec(String id, String transform) {
    return """
          - id: %s
            source: { path: "%s" }
            target: { path: "%s" }
            transform: %s
        """
        .formatted(id, path("source/" + id), path("target/" + id), transform);
  }

  /**
   * Waits, through the driver's REST API, until the slow dataset is being written and an executor
   * runs tasks, then kills that executor's JVM (SIGKILL) and returns its id.
   */
  private static String killABusyExecutorWhileTheSlowDatasetIsWritten(
      StandaloneCluster cluster, Process driver, Path log) throws Exception {
    String uiPort =
        StandaloneCluster.awaitLine(
            log, Pattern.compile("Successfully started service 'SparkUI' on port (\\d+)"), driver);
    String applications = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
    while (driver.isAlive() && System.nanoTime() < deadline) {
      Optional<JsonNode> apps = StandaloneCluster.getJson(applications);
      if (apps.isPresent() && apps.get().size() > 0) {
        String app = apps.get().get(0).path("id").asText();
        if (slowDatasetIsWritten(applications + "/" + app)) {
          JsonNode executors =
              StandaloneCluster.getJson(applications + "/" + app + "/executors")
                  .orElse(JsonNodeFactory.instance.arrayNode());
          for (JsonNode executor : executors) {
            String id = executor.path("id").asText();
            if (!id.equals("driver") && executor.path("activeTasks").asInt() > 0) {
              Optional<ProcessHandle> process = cluster.executor(app, id);
              if (process.isPresent()) {
                process.get().destroyForcibly();
                process.get().onExit().get(30, TimeUnit.SECONDS);
                return id;
              }
            }
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "No executor was killed: the job ended or ran out of time before "
            + SLOW
            + " was written with a busy executor; make it slower. Driver log:\n"
            + Files.readString(log)
            + cluster.logs());
  }

  private static boolean slowDatasetIsWritten(String application) throws InterruptedException {
    Optional<JsonNode> jobs = StandaloneCluster.getJson(application + "/jobs?status=running");
    if (jobs.isEmpty()) {
      return false;
    }
    for (JsonNode job : jobs.get()) {
      String description = job.path("description").asText();
      // The small datasets, the slow one among them, are migrated by agents: executor tasks.
      if (description.startsWith(SLOW + ": write target")
          || description.startsWith("dsmigrate agents:")) {
        return true;
      }
    }
    return false;
  }
}
