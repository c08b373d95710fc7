package io.dsmigrate.launcher;

import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.submit.JobArguments;
import io.dsmigrate.job.submit.SparkSubmitCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
      "Runs each partition of a plan as its own Spark application through spark-submit: SPARK_HOME's, or",
      "Spark's entry point on dsmigrate's own classpath. --print prints the commands and runs nothing.",
      "Waves run in order: a wave's partitions are submitted once the wave before it ended; after a pilot",
      "that did not pass (unless --ignore-pilot) or a wave stopped by the error threshold, no later wave is.",
      "Exit code: the worst partition's; 0 all done, 1 some datasets failed, 2 bad input, 3 a wave passed",
      "the error threshold and was rolled back, 4 paused."
    })
final class SubmitCommand implements Callable<Integer> {
  /** What the job's exit codes mean, for the summary. */
  private static final Map<Integer, String> MEANINGS =
      Map.of(
          0, "all done",
          1, "some datasets failed",
          2, "bad input, nothing migrated",
          3, "stopped by the error threshold",
          4, "paused, the rest not started");

  @Mixin CommonOptions common;

  @Option(
      names = "--plan",
      required = true,
      paramLabel = "FILE",
      description =
          "A plan written by 'dsmigrate plan'; the driver reads it, so in cluster deploy mode it must be at this path there too.")
  String plan;

  @Option(
      names = "--master",
      required = true,
      paramLabel = "URL",
      description =
          "The Spark master: spark://HOST:PORT, yarn, k8s://https://HOST:PORT or local[N].")
  String master;

  @Option(
      names = "--partition",
      paramLabel = "I",
      description = "Submit only this partition (default: every partition).")
  Integer partition;

  @Option(
      names = "--run-id",
      converter = RunId.Converter.class,
      description =
          "The run id of every partition (default: a new one). Give the id of an earlier run to finish it: datasets that succeeded are skipped.")
  String runId;

  @Option(
      names = "--deploy-mode",
      paramLabel = "MODE",
      description = "client or cluster (default: spark-submit's, client).")
  String deployMode;

  @Option(
      names = "--jar",
      paramLabel = "FILE|URL",
      description =
          "The job jar (default: the dsmigrate-job-<version>-spark.jar built next to the dsmigrate classes).")
  String jar;

  @Option(
      names = "--spark-conf",
      paramLabel = "KEY=VALUE",
      description =
          "A Spark setting for spark-submit, e.g. --spark-conf spark.executor.memory=4g. Repeat as needed.")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  @Option(
      names = "--spark-home",
      paramLabel = "DIR",
      defaultValue = "${env:SPARK_HOME}",
      description = "The Spark installation whose bin/spark-submit runs (default: $SPARK_HOME).")
  String sparkHome;

  @Option(
      names = "--parallel",
      paramLabel = "K",
      defaultValue = "1",
      description =
          "Partitions running at once (default: ${DEFAULT-VALUE}). More than one needs a metastore they can share.")
  int parallel;

  @Option(
      names = "--ignore-pilot",
      description = "Submit the later waves even when the pilot did not pass.")
  boolean ignorePilot;

  @Option(names = "--print", description = "Print one shell command per partition; run nothing.")
  boolean print;

  /** The spark-submit processes running now. */
  private final Set<Process> running = ConcurrentHashMap.newKeySet();

  @Override
  public Integer call() throws InterruptedException {
    // Everything is checked before the first submission: bad input submits nothing.
    Settings settings = common.settings(sparkConf);
    if (parallel < 1) {
      throw new IllegalArgumentException("--parallel must be 1 or more, not " + parallel);
    }
    Plan loaded = Plan.read(plan, settings.hadoopConfiguration());
    List<Integer> partitions = new ArrayList<>();
    if (partition != null) {
      partitions.add(loaded.partition(partition).index());
    } else {
      loaded.partitions().forEach(part -> partitions.add(part.index()));
    }
    String run = runId != null ? runId : JobRunner.newRunId();
    List<String> launcher = launcher();
    String jobJar = jobJar();
    List<SparkSubmitCommand> commands = new ArrayList<>();
    for (int index : partitions) {
      commands.add(
          new SparkSubmitCommand(
              launcher,
              master,
              deployMode,
              jobJar,
              sparkConf,
              new JobArguments(
                  settings.locations().qualify(plan),
                  index,
                  run,
                  common.workdir != null ? settings.workdir() : null,
                  common.conf != null ? common.conf.toPath().toAbsolutePath() : null,
                  common.overrides,
                  ignorePilot)));
    }
    if (print) {
      commands.forEach(command -> System.out.println(command.toShell()));
      return Dsmigrate.OK;
    }
    if (parallel > 1 && commands.size() > 1 && embeddedMetastore(settings)) {
      System.err.println(
          "dsmigrate submit: warning: --parallel "
              + parallel
              + " with the embedded Derby metastore under "
              + settings.workdir()
              + ", which one Spark application uses at a time; set \"spark.hadoop.hive.metastore.uris\" in dsmigrate.spark.conf or with --spark-conf");
    }
    System.out.printf(
        "Submitting %d partition(s) of plan %s to %s, run %s%n",
        commands.size(), loaded.planId(), master, run);
    return submitAll(commands, loaded, run);
  }

  private int submitAll(List<SparkSubmitCommand> all, Plan loaded, String run)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, all.size()));
    // A submit that is stopped (Ctrl-C, a scheduler's SIGTERM) stops its drivers too: in client
    // mode they would otherwise go on without anyone reading their output.
    Thread stopDrivers = new Thread(() -> running.forEach(Process::destroy));
    Runtime.getRuntime().addShutdownHook(stopDrivers);
    try {
      int worst = Dsmigrate.OK;
      for (Plan.Wave wave : loaded.waves()) {
        List<SparkSubmitCommand> commands =
            all.stream()
                .filter(c -> loaded.partition(c.job().partition()).wave() == wave.index())
                .toList();
        if (commands.isEmpty()) {
          continue;
        }
        int code = submitWave(pool, commands);
        worst = Math.max(worst, code);
        String stop =
            code == 3
                ? "wave " + wave.index() + " was stopped by the error threshold and rolled back"
                : wave.pilot() && code != Dsmigrate.OK && !ignorePilot
                    ? "the pilot wave did not pass (pass --ignore-pilot to go on anyway)"
                    : null;
        if (stop != null) {
          long later =
              all.stream()
                  .filter(c -> loaded.partition(c.job().partition()).wave() > wave.index())
                  .count();
          if (later > 0) {
            System.out.printf(
                "Not submitting the %d partition(s) of later waves: %s%n", later, stop);
          }
          break;
        }
      }
      if (worst != Dsmigrate.OK) {
        System.out.println("Submit again with --run-id " + run + " to retry what did not succeed.");
      }
      return worst;
    } finally {
      pool.shutdownNow();
      try {
        Runtime.getRuntime().removeShutdownHook(stopDrivers);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }
  }

  /** Submits a wave's partitions (up to --parallel at once); the worst exit code of them. */
  private int submitWave(ExecutorService pool, List<SparkSubmitCommand> commands)
      throws InterruptedException {
    List<Future<Integer>> codes = new ArrayList<>();
    for (SparkSubmitCommand command : commands) {
      codes.add(pool.submit(() -> submit(command)));
    }
    int worst = Dsmigrate.OK;
    for (int i = 0; i < commands.size(); i++) {
      int code;
      try {
        code = codes.get(i).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
      System.out.printf(
          "Partition %d: exit %d (%s)%n",
          commands.get(i).job().partition(),
          code,
          MEANINGS.getOrDefault(code, "spark-submit failed"));
      worst = Math.max(worst, exitCode(code));
    }
    return worst;
  }

  /** Runs one spark-submit and streams its output, each line marked with its partition. */
  private int submit(SparkSubmitCommand command) throws IOException, InterruptedException {
    String prefix = "[partition " + command.job().partition() + "] ";
    Process process;
    try {
      process = new ProcessBuilder(command.arguments()).redirectErrorStream(true).start();
    } catch (IOException e) {
      System.err.println(
          "dsmigrate submit: cannot start "
              + command.launcher().get(0)
              + " for partition "
              + command.job().partition()
              + ": "
              + e.getMessage());
      return Dsmigrate.BAD_INPUT;
    }
    running.add(process);
    try (BufferedReader output =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        System.out.println(prefix + line);
      }
      return process.waitFor();
    } finally {
      process.destroy();
      running.remove(process);
    }
  }

  /**
   * A partition's exit code as dsmigrate's: the job's own codes pass through, anything else (a
   * driver that was killed or crashed) counts as datasets not done.
   */
  static int exitCode(int sparkSubmitCode) {
    return MEANINGS.containsKey(sparkSubmitCode) ? sparkSubmitCode : Dsmigrate.SOME_FAILED;
  }

  private List<String> launcher() {
    if (sparkHome != null && !sparkHome.isBlank()) {
      return SparkSubmitCommand.sparkSubmitScript(Path.of(sparkHome));
    }
    List<String> command =
        new ArrayList<>(SparkSubmitCommand.sparkSubmitClass(System.getProperty("java.class.path")));
    String logConfig = System.getProperty("log4j2.configurationFile");
    if (logConfig != null) {
      // The driver runs in that JVM: it logs the way this command does.
      command.add(1, "-Dlog4j2.configurationFile=" + logConfig);
    }
    return command;
  }

  private String jobJar() {
    if (jar == null) {
      return SparkSubmitCommand.bundledJobJar()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "Cannot find the job jar dsmigrate-job-<version>-spark.jar next to the dsmigrate classes; build it with 'mvn package' or give --jar FILE"))
          .toString();
    }
    if (jar.contains("://")) {
      return jar; // read by the cluster, not here
    }
    Path local = Path.of(jar);
    if (!Files.isRegularFile(local)) {
      throw new IllegalArgumentException(
          "--jar "
              + jar
              + " does not exist; give the dsmigrate-job-<version>-spark.jar that the build writes to job/target");
    }
    return local.toAbsolutePath().toString();
  }

  private boolean embeddedMetastore(Settings settings) {
    return settings.embeddedMetastore()
        && !sparkConf.containsKey("spark.hadoop.hive.metastore.uris");
  }
}
