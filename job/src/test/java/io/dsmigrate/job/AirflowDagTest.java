package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.submit.SparkSubmitCommand;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The Airflow DAG example in {@code conf/airflow} compiles, makes one task per plan partition, and
 * gives each the main class, JVM flags and arguments the job takes today, so it cannot rot. Python
 * runs it with stand-ins for Airflow's two classes; the job's own parser reads its arguments.
 */
class AirflowDagTest {
  private static final Path DAG = Path.of("..", "conf", "airflow", "dsmigrate_dag.py");
  private static final Pattern RUN_ID_TEMPLATE = Pattern.compile("\\{\\{ run_id \\| (\\w+) }}");

  @TempDir Path temp;

  @Test
  void theDagSubmitsEveryPartitionWaveByWaveWithArgumentsTheJobTakesAndARunIdStableAcrossRetries()
      throws Exception {
    assumeTrue(python3Exists(), "python3 is needed to check the Airflow DAG (.ci/run installs it)");
    assertThat(python(Map.of(), "-m", "py_compile", DAG.toString()).code()).isZero();

    List<Plan.Partition> partitions = new ArrayList<>();
    // The pilot in partition 0, then one wave in partitions 1 and 2.
    for (int i = 0; i < 3; i++) {
      partitions.add(new Plan.Partition(i, i == 0 ? Plan.PILOT : 1, 0, List.of()));
    }
    Path planFile = temp.resolve("plan.json");
    new Plan("plan-dag", "2026-11-24T00:00:00Z", partitions).write(planFile);
    Path inspector = temp.resolve("inspect_dag.py");
    try (InputStream in = getClass().getResourceAsStream("inspect_dag.py")) {
      Files.copy(in, inspector);
    }
    String scheduled = "scheduled__2026-11-24T00:00:00+00:00";
    String manual = "manual__2026-11-24T10:15:00.123456+00:00";
    Result inspected =
        python(
            Map.of(
                "DSMIGRATE_PLAN", planFile.toString(),
                "DSMIGRATE_JOB_JAR", "/jars/dsmigrate-job-spark.jar",
                "DSMIGRATE_CONF", temp.resolve("cluster.conf").toString()),
            inspector.toString(),
            DAG.toString(),
            scheduled,
            manual);
    assertThat(inspected.code()).as(inspected.out()).isZero();
    JsonNode dag = new ObjectMapper().readTree(inspected.out());

    assertThat(dag.get("retries").asInt()).as("a failed partition is tried again").isPositive();
    JsonNode tasks = dag.get("tasks");
    assertThat(tasks).hasSize(3);
    String flags = String.join(" ", SparkSubmitCommand.javaOptions());
    Set<String> taskIds = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      JsonNode task = tasks.get(i);
      taskIds.add(task.get("task_id").asText());
      List<String> upstream = new ArrayList<>();
      task.get("upstream").forEach(id -> upstream.add(id.asText()));
      assertThat(upstream)
          .as("a wave's tasks wait for every task of the wave before")
          .isEqualTo(i == 0 ? List.of() : List.of("partition_0"));
      assertThat(task.get("java_class").asText()).isEqualTo(MigrationJobMain.class.getName());
      assertThat(task.get("application").asText()).isEqualTo("/jars/dsmigrate-job-spark.jar");
      assertThat(task.get("conf").get("spark.driver.extraJavaOptions").asText()).isEqualTo(flags);
      assertThat(task.get("conf").get("spark.executor.extraJavaOptions").asText()).isEqualTo(flags);

      List<String> args = new ArrayList<>();
      task.get("application_args").forEach(arg -> args.add(arg.asText()));
      ParseResult job =
          new CommandLine(new MigrationJobMain()).parseArgs(args.toArray(String[]::new));
      assertThat(job.matchedOptionValue("--plan", "")).isEqualTo(planFile.toString());
      assertThat(job.matchedOptionValue("--partition", -1)).isEqualTo(i);
      assertThat(job.matchedOptionValue("--conf", new File("")))
          .isEqualTo(temp.resolve("cluster.conf").toFile());
      String runIdTemplate = job.matchedOptionValue("--run-id", "");
      Matcher template = RUN_ID_TEMPLATE.matcher(runIdTemplate);
      assertThat(template.matches())
          .as("the run id comes from the DAG run, not the try: %s", runIdTemplate)
          .isTrue();
      JsonNode runIds = dag.get("filters").get(template.group(1));
      assertThat(runIds).as("the DAG defines the filter %s", template.group(1)).isNotNull();
      assertThat(runIds.get(scheduled).asText()).matches("[A-Za-z0-9_.-]+");
      assertThat(runIds.get(manual).asText())
          .matches("[A-Za-z0-9_.-]+")
          .isNotEqualTo(runIds.get(scheduled).asText());
    }
    assertThat(taskIds).hasSize(3);
  }

  private record Result(int code, String out) {}

  /** Runs python3 with {@code args} and the environment variables {@code environment}. */
  private Result python(Map<String, String> environment, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    // Compiled files go to the temp directory, not next to the DAG in the source tree.
    builder.environment().put("PYTHONPYCACHEPREFIX", temp.resolve("pycache").toString());
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out);
  }

  private static boolean python3Exists() {
    try {
      Process process =
          new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
