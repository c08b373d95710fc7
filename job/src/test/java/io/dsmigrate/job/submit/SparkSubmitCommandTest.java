package io.dsmigrate.job.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.job.MigrationJobMain;
import io.dsmigrate.testing.Shell;
import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The command is read back by Spark's own spark-submit parser and the job's own command line, so
 * neither side can drift from what the builder writes.
 */
class SparkSubmitCommandTest {
  @TempDir Path temp;

  private SparkSubmitCommand command(String master, Map<String, String> sparkConf) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("dsmigrate.fleet.concurrency", "8");
    settings.put("dsmigrate.results.database", "ops results");
    JobArguments job =
        new JobArguments(
            temp.resolve("my plans/it's the plan.json").toString(),
            3,
            "nightly-2026-11-24",
            temp.resolve("work").toString(),
            temp.resolve("cluster.conf"),
            settings);
    return new SparkSubmitCommand(
        List.of("spark-submit"), master, "client", "/jars/dsmigrate-job-spark.jar", sparkConf, job);
  }

  @Test
  void sparkSubmitAndTheJobReadTheCommandBackAsOnePartitionOfThePlan() {
    Map<String, String> sparkConf = new LinkedHashMap<>();
    sparkConf.put("spark.executor.memory", "2g");
    sparkConf.put("spark.driver.extraJavaOptions", "-Dmine=yes");
    List<String> arguments = command("spark://10.0.0.1:7077", sparkConf).arguments();
    assertThat(arguments.get(0)).isEqualTo("spark-submit");

    SparkSubmitArguments submit =
        new SparkSubmitArguments(
            CollectionConverters.asScala(arguments.subList(1, arguments.size())).toList(),
            scala.collection.immutable.Map$.MODULE$.empty());
    assertThat(submit.master()).isEqualTo("spark://10.0.0.1:7077");
    assertThat(submit.deployMode()).isEqualTo("client");
    assertThat(submit.mainClass()).isEqualTo("io.dsmigrate.job.MigrationJobMain");
    assertThat(submit.primaryResource()).endsWith("/jars/dsmigrate-job-spark.jar");
    Map<String, String> properties = CollectionConverters.asJava(submit.sparkProperties());
    assertThat(properties).containsEntry("spark.executor.memory", "2g");
    String flags = String.join(" ", SparkSubmitCommand.javaOptions());
    assertThat(flags).contains("--add-opens=java.base/java.net=ALL-UNNAMED");
    assertThat(properties)
        .containsEntry("spark.driver.extraJavaOptions", "-Dmine=yes " + flags)
        .containsEntry("spark.executor.extraJavaOptions", flags);

    ParseResult job =
        new CommandLine(new MigrationJobMain())
            .parseArgs(CollectionConverters.asJava(submit.childArgs()).toArray(String[]::new));
    assertThat(job.matchedOptionValue("--plan", ""))
        .isEqualTo(temp.resolve("my plans/it's the plan.json").toString());
    assertThat(job.matchedOptionValue("--partition", -1)).isEqualTo(3);
    assertThat(job.matchedOptionValue("--run-id", "")).isEqualTo("nightly-2026-11-24");
    assertThat(job.matchedOptionValue("--workdir", "")).isEqualTo(temp.resolve("work").toString());
    assertThat(job.matchedOptionValue("--conf", new File("")))
        .isEqualTo(temp.resolve("cluster.conf").toFile());
    assertThat(job.matchedOptionValue("-D", Map.of()))
        .containsEntry("dsmigrate.fleet.concurrency", "8")
        .containsEntry("dsmigrate.results.database", "ops results");
  }

  @Test
  void theShellLineReadsBackIntoTheSameArguments() {
    SparkSubmitCommand command =
        command("local[2]", Map.of("spark.app.name", "it's \"quoted\" $HOME `x` \\ *"));
    assertThat(Shell.words(command.toShell())).isEqualTo(command.arguments());
    assertThat(SparkSubmitCommand.shellQuote("spark://h:7077")).isEqualTo("spark://h:7077");
    assertThat(SparkSubmitCommand.shellQuote("")).isEqualTo("''");
  }

  @Test
  void badMastersDeployModesAndSettingsAreRejectedWithWhatToUse() {
    assertThatThrownBy(() -> command("spark://host", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'spark://host' is not a Spark master URL")
        .hasMessageContaining("spark://HOST:PORT");
    assertThat(command("spark://a:7077,b:7077", Map.of()).master())
        .isEqualTo("spark://a:7077,b:7077");
    assertThat(command("k8s://https://api:6443", Map.of()).master()).isNotNull();
    assertThat(command("yarn", Map.of()).master()).isEqualTo("yarn");
    assertThatThrownBy(
            () ->
                new SparkSubmitCommand(
                    List.of("spark-submit"),
                    "yarn",
                    "remote",
                    "job.jar",
                    Map.of(),
                    command("yarn", Map.of()).job()))
        .hasMessageContaining("'remote' is not a deploy mode; use client or cluster");
    assertThatThrownBy(() -> command("yarn", Map.of("dsmigrate.fleet.concurrency", "8")))
        .hasMessageContaining("'dsmigrate.fleet.concurrency' is not a Spark setting")
        .hasMessageContaining("-Dkey=value");
  }
}
