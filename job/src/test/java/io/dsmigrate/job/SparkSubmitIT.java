package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.testing.SparkTestBase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Runs the job jar the way a cluster runs it: through Spark's real SparkSubmit entry point, in a
 * JVM whose classpath holds Spark but not dsmigrate, Delta, picocli or Typesafe Config, so
 * everything the job needs beyond Spark must come from the jar.
 */
class SparkSubmitIT extends SparkTestBase {
  @Test
  void theJobJarMigratesAPlanPartitionThroughSparkSubmit() throws Exception {
    String jar = System.getProperty("dsmigrate.job.jar");
    assertThat(jar).as("the failsafe configuration names the job jar").isNotNull();
    assertThat(new File(jar)).exists();

    spark()
        .range(50)
        .selectExpr("id", "CAST(id % 3 AS INT) AS cust_id", "CAST(id * 2.5 AS DOUBLE) AS amount")
        .write()
        .parquet(path("orders"));
    spark().range(20).selectExpr("id", "concat('/p/', id) AS url").write().parquet(path("clicks"));
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(
        specs,
        """
        datasets:
          - id: sales.orders
            source: { path: "%s" }
            target: { path: "%s" }
            transform:
              rename: { cust_id: customer_id }
              cast: { amount: "decimal(18,2)" }
          - id: web.clicks
            source: { path: "%s" }
            target: { table: web.clicks }
        """
            .formatted(path("orders"), path("orders_delta"), path("clicks")));
    Plan plan =
        Planner.of(spark())
            .partitions(1)
            .plan(io.dsmigrate.job.spec.SpecLoader.load(List.of(specs)).orThrow());
    Path planFile = temp.resolve("plan.json");
    plan.write(planFile);
    Path workdir = temp.resolve("work");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        Arrays.asList(System.getProperty("dsmigrate.jvm.flags", "").trim().split("\\s+")));
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(SparkClasspath.joined());
    command.addAll(
        List.of(
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--class",
            "io.dsmigrate.job.MigrationJobMain",
            jar,
            "--plan",
            planFile.toString(),
            "--partition",
            "0",
            "--run-id",
            "run-submit",
            "--workdir",
            workdir.toString()));
    Path log = temp.resolve("submit.log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("spark-submit finished in time").isTrue();
    String output = Files.readString(log);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("Run run-submit: SUCCEEDED=2");

    Dataset<Row> results =
        spark()
            .read()
            .format("delta")
            .load(workdir.resolve("warehouse/dsmigrate.db/migration_results").toString());
    assertThat(
            results
                .where("run_id = 'run-submit' AND status = 'SUCCEEDED' AND content_match")
                .count())
        .isEqualTo(2);
    Dataset<Row> migrated = spark().read().format("delta").load(path("orders_delta"));
    assertThat(migrated.count()).isEqualTo(50);
    assertThat(migrated.columns()).containsExactly("id", "customer_id", "amount");
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(workdir.resolve("warehouse/web.db/clicks").toString())
                .count())
        .isEqualTo(20);
  }
}
