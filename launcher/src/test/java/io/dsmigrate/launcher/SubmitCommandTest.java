package io.dsmigrate.launcher;

import static io.dsmigrate.launcher.Cli.dsmigrate;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.submit.SparkSubmitCommand;
import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dsmigrate submit}: the commands it prints, and bad input that submits nothing. */
class SubmitCommandTest {
  @TempDir Path temp;

  /** A plan with empty partitions in one wave, at a path a shell must quote. */
  private Path plan(int partitions) throws Exception {
    List<Plan.Partition> parts = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      parts.add(new Plan.Partition(i, 1, 0, List.of()));
    }
    Path file = temp.resolve("my plans/it's the plan.json");
    new Plan("plan-test", "2026-11-24T00:00:00Z", parts).write(file);
    return file;
  }

  private Path sparkHome() throws Exception {
    Path script = temp.resolve("spark/bin/spark-submit");
    Files.createDirectories(script.getParent());
    Files.writeString(script, "#!/bin/sh\nexit 99\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return temp.resolve("spark");
  }

  private Path jar() throws Exception {
    return Files.createFile(temp.resolve("dsmigrate-job-spark.jar"));
  }

  @Test
  void printWritesOneQuotedSparkSubmitCommandPerPartitionAndRunsNothing() throws Exception {
    Path plan = plan(2);
    Path sparkHome = sparkHome();
    Path jar = jar();
    Outcome outcome =
        dsmigrate(
            "submit",
            "--plan",
            plan.toString(),
            "--master",
            "spark://127.0.0.1:7077",
            "--spark-home",
            sparkHome.toString(),
            "--jar",
            jar.toString(),
            "--run-id",
            "nightly-2026-11-24",
            "--workdir",
            temp.resolve("work").toString(),
            "--spark-conf",
            "spark.executor.memory=2g",
            "-Ddsmigrate.fleet.concurrency=8",
            "--print");
    assertThat(outcome.code()).as(outcome.err()).isZero();
    assertThat(outcome.err()).isEmpty();
    List<String> lines = outcome.out().lines().toList();
    assertThat(lines).hasSize(2);
    String flags = String.join(" ", SparkSubmitCommand.javaOptions());
    for (int partition = 0; partition < 2; partition++) {
      assertThat(Shell.words(lines.get(partition)))
          .containsExactly(
              sparkHome.resolve("bin/spark-submit").toString(),
              "--master",
              "spark://127.0.0.1:7077",
              "--class",
              "io.dsmigrate.job.MigrationJobMain",
              "--conf",
              "spark.executor.memory=2g",
              "--conf",
              "spark.driver.extraJavaOptions=" + flags,
              "--conf",
              "spark.executor.extraJavaOptions=" + flags,
              jar.toString(),
              // Fully qualified: a path without a scheme would be read on the cluster's default
              // file system.
              "--plan",
              "file:" + plan,
              "--partition",
              Integer.toString(partition),
              "--run-id",
              "nightly-2026-11-24",
              "--workdir",
              "file:" + temp.resolve("work"),
              "-Ddsmigrate.fleet.concurrency=8");
    }
    assertThat(temp.resolve("work")).doesNotExist();
  }

  @Test
  void withoutSparkHomeTheCommandRunsSparksEntryPointWithItsJvmFlags() throws Exception {
    Outcome outcome =
        dsmigrate(
            "submit",
            "--plan",
            plan(3).toString(),
            "--partition",
            "2",
            "--master",
            "local[2]",
            "--spark-home=",
            "--jar",
            jar().toString(),
            "--deploy-mode",
            "client",
            "--print");
    assertThat(outcome.code()).as(outcome.err()).isZero();
    List<String> lines = outcome.out().lines().toList();
    assertThat(lines).hasSize(1);
    List<String> words = Shell.words(lines.get(0));
    assertThat(words.get(0)).endsWith("/bin/java");
    int entryPoint = words.indexOf("org.apache.spark.deploy.SparkSubmit");
    assertThat(entryPoint).isPositive();
    assertThat(words.subList(0, entryPoint))
        .contains("--add-opens=java.base/java.net=ALL-UNNAMED", "-cp");
    assertThat(words.subList(entryPoint, words.size()))
        .containsSequence("--master", "local[2]", "--deploy-mode", "client")
        .containsSequence("--partition", "2", "--run-id");
  }

  @Test
  void badInputExitsTwoSaysWhatToChangeAndSubmitsNothing() throws Exception {
    String plan = plan(2).toString();
    String jar = jar().toString();
    String missing = temp.resolve("missing.json").toString();
    expectBadInput("Cannot read the plan file:" + missing, missing, "local[2]");
    expectBadInput(
        "has partitions 0..1; there is no partition 5",
        plan,
        "local[2]",
        "--jar",
        jar,
        "--partition",
        "5");
    expectBadInput(
        "'spark//127.0.0.1:7077' is not a Spark master URL; use spark://HOST:PORT",
        plan,
        "spark//127.0.0.1:7077",
        "--jar",
        jar);
    expectBadInput(
        "'executor.memory' is not a Spark setting",
        plan,
        "yarn",
        "--jar",
        jar,
        "--spark-conf",
        "executor.memory=2g");
    String nope = temp.resolve("nope.jar").toString();
    expectBadInput("--jar " + nope + " does not exist", plan, "yarn", "--jar", nope);
    expectBadInput(
        "bin/spark-submit is missing or not executable. Point SPARK_HOME (or --spark-home)",
        plan,
        "yarn",
        "--jar",
        jar,
        "--spark-home",
        temp.toString());
    expectBadInput("--parallel must be 1 or more, not 0", plan, "yarn", "--parallel", "0");
  }

  private void expectBadInput(String message, String plan, String master, String... more) {
    List<String> args = new ArrayList<>(List.of("submit", "--plan", plan, "--master", master));
    args.addAll(List.of(more));
    Outcome outcome = dsmigrate(args.toArray(String[]::new));
    assertThat(outcome.code()).as(outcome.out() + outcome.err()).isEqualTo(2);
    assertThat(outcome.err()).contains(message);
    assertThat(outcome.out()).isEmpty();
  }

  @Test
  void wavesAreSubmittedInOrderAndNoneAfterAPilotThatDidNotPassOrAStoppedWave() throws Exception {
    // Pilot in partition 0, wave 1 in partitions 1 and 2, wave 2 in partition 3.
    List<Plan.Partition> parts =
        List.of(
            new Plan.Partition(0, Plan.PILOT, 0, List.of()),
            new Plan.Partition(1, 1, 0, List.of()),
            new Plan.Partition(2, 1, 0, List.of()),
            new Plan.Partition(3, 2, 0, List.of()));
    Path plan = temp.resolve("waves.json");
    new Plan("plan-waves", "2026-11-24T00:00:00Z", parts).write(plan);
    Path calls = temp.resolve("calls.txt");
    Path codes = temp.resolve("codes");
    Files.createDirectories(codes);
    // A spark-submit that logs which partition it got and exits with that partition's code.
    Path script = temp.resolve("fake-spark/bin/spark-submit");
    Files.createDirectories(script.getParent());
    Files.writeString(
        script,
        """
        #!/bin/sh
        while [ "$1" != "--partition" ]; do shift; done
        echo "$2" >> "%s"
        exit $(cat "%s/$2" 2>/dev/null || echo 0)
        """
            .formatted(calls, codes));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    String jar = jar().toString();
    String[] submit = {
      "submit",
      "--plan",
      plan.toString(),
      "--master",
      "local[2]",
      "--jar",
      jar,
      "--spark-home",
      temp.resolve("fake-spark").toString()
    };

    Files.writeString(codes.resolve("0"), "1");
    Outcome pilotFailed = dsmigrate(submit);
    assertThat(pilotFailed.code()).isEqualTo(1);
    assertThat(Files.readAllLines(calls)).containsExactly("0");
    assertThat(pilotFailed.out())
        .contains("Not submitting the 3 partition(s) of later waves: the pilot wave did not pass");

    Files.delete(calls);
    Files.writeString(codes.resolve("0"), "0");
    Files.writeString(codes.resolve("2"), "3");
    Outcome stopped = dsmigrate(submit);
    assertThat(stopped.code()).isEqualTo(3);
    assertThat(Files.readAllLines(calls)).containsExactlyInAnyOrder("0", "1", "2");
    assertThat(Files.readAllLines(calls).get(0)).isEqualTo("0");
    assertThat(stopped.out())
        .contains("Partition 2: exit 3 (stopped by the error threshold)")
        .contains("Not submitting the 1 partition(s) of later waves: wave 1 was stopped");

    Files.delete(calls);
    Files.writeString(codes.resolve("2"), "0");
    Files.writeString(codes.resolve("0"), "1");
    String[] ignoring = java.util.Arrays.copyOf(submit, submit.length + 1);
    ignoring[submit.length] = "--ignore-pilot";
    Outcome ignored = dsmigrate(ignoring);
    assertThat(ignored.code()).isEqualTo(1);
    assertThat(Files.readAllLines(calls)).containsExactly("0", "1", "2", "3");
  }

  @Test
  void aDriverThatWasKilledOrCrashedCountsAsDatasetsNotDone() {
    for (int code : Set.of(0, 1, 2, 3, 4)) {
      assertThat(SubmitCommand.exitCode(code)).isEqualTo(code);
    }
    assertThat(SubmitCommand.exitCode(137)).isEqualTo(1);
    assertThat(SubmitCommand.exitCode(-1)).isEqualTo(1);
  }
}
