package io.dsmigrate.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.submit.SparkSubmitCommand;
import io.dsmigrate.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on 127.0.0.1, run from the Spark jars of the test classpath: a
 * SPARK_HOME whose {@code jars/} links to them, a master, and workers of one core and 1 GiB each.
 * Every process picks its own free ports and the cluster reads them from the logs, so that no port
 * chosen in advance can be taken in between. {@link #close()} ends every process it started,
 * executors included.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  /** For JVMs that live a minute or two: compiling with C1 only costs far less CPU. */
  static final List<String> SHORT_LIVED_JVM = List.of("-XX:TieredStopAtLevel=1");

  private final Path dir;
  private final Path sparkHome;
  private final List<Process> processes = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private String masterUrl;
  private int masterUiPort;

  private StandaloneCluster(Path dir) {
    this.dir = dir;
    this.sparkHome = dir.resolve("spark-home");
  }

  /**
   * Starts a master, waits until it listens, and starts {@code workerCount} workers; {@link
   * #awaitWorkers} waits until they have registered, so that the caller can prepare its data while
   * they start.
   */
  static StandaloneCluster start(Path dir, int workerCount)
      throws IOException, InterruptedException {
    StandaloneCluster cluster = new StandaloneCluster(dir);
    try {
      cluster.linkSparkJars();
      Process master =
          cluster.daemon(
              "master",
              // Spark's REST submission server would take the fixed port 6066.
              List.of("-Dspark.master.rest.enabled=false"),
              "org.apache.spark.deploy.master.Master",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--webui-port",
              "0");
      cluster.processes.add(master);
      Path log = cluster.log("master");
      cluster.masterUrl =
          awaitLine(log, Pattern.compile("Starting Spark master at (spark://\\S+)"), master);
      cluster.masterUiPort =
          Integer.parseInt(
              awaitLine(
                  log,
                  Pattern.compile("Successfully started service 'MasterUI' on port (\\d+)"),
                  master));
      for (int i = 0; i < workerCount; i++) {
        Path workDir = Files.createDirectories(dir.resolve("worker-" + i));
        Process worker =
            cluster.daemon(
                "worker-" + i,
                List.of(),
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0",
                "--cores",
                "1",
                "--memory",
                "1g",
                "--work-dir",
                workDir.toString(),
                cluster.masterUrl);
        cluster.processes.add(worker);
        cluster.workers.add(worker);
      }
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  String masterUrl() {
    return masterUrl;
  }

  /** What Spark's processes need: without SPARK_SCALA_VERSION a worker cannot launch executors. */
  Map<String, String> environment() {
    return Map.of(
        "SPARK_HOME",
        sparkHome.toString(),
        "SPARK_CONF_DIR",
        sparkHome.resolve("conf").toString(),
        "SPARK_SCALA_VERSION",
        "2.13",
        "SPARK_LOCAL_IP",
        "127.0.0.1");
  }

  /** The classpath of a Spark installation: its {@code jars/} directory. */
  String classpath() {
    return sparkHome.resolve("jars") + "/*";
  }

  /** Waits until every worker has registered with the master. */
  void awaitWorkers() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    int alive = 0;
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> state = getJson("http://127.0.0.1:" + masterUiPort + "/json/");
      alive = state.map(s -> s.path("aliveworkers").asInt()).orElse(0);
      if (alive >= workers.size()) {
        return;
      }
      for (Process process : processes) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "A Spark daemon exited with " + process.exitValue() + ":\n" + logs());
        }
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        alive
            + " of "
            + workers.size()
            + " workers registered within "
            + START_TIMEOUT
            + ":\n"
            + logs());
  }

  /** The executor JVM of an application that a worker of this cluster launched, if it runs. */
  Optional<ProcessHandle> executor(String appId, String executorId) {
    return workers.stream()
        .flatMap(Process::descendants)
        .filter(
            process -> {
              List<String> args = List.of(process.info().arguments().orElse(new String[0]));
              return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")
                  && executorId.equals(valueOf(args, "--executor-id"))
                  && appId.equals(valueOf(args, "--app-id"));
            })
        .findFirst();
  }

  private static String valueOf(List<String> args, String option) {
    int at = args.indexOf(option);
    return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : null;
  }

  /** The last lines of every daemon log, for a failure message. */
  String logs() {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(dir.resolve("logs"))) {
      for (Path log : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        out.append("== ").append(log.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 30), lines.size())
            .forEach(line -> out.append(line).append('\n'));
      }
    } catch (IOException e) {
      out.append("(cannot read the logs: ").append(e).append(")\n");
    }
    return out.toString();
  }

  @Override
  public void close() {
    // Workers before the master, each with its executors: they would outlive a killed worker.
    for (int i = processes.size() - 1; i >= 0; i--) {
      ChildJvm.destroy(processes.get(i).toHandle());
    }
    // The links point into the Maven repository: remove them before anyone deletes recursively.
    Path jars = sparkHome.resolve("jars");
    if (!Files.isDirectory(jars)) {
      return;
    }
    try (var links = Files.list(jars)) {
      for (Path link : links.toList()) {
        Files.delete(link);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove the links in " + sparkHome, e);
    }
  }

  /**
   * Waits until a line of {@code log} matches {@code line} and returns its first group; fails if
   * {@code process} ends first.
   */
  static String awaitLine(Path log, Pattern line, Process process) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Matcher matcher = line.matcher(Files.exists(log) ? Files.readString(log) : "");
        if (matcher.find()) {
          return matcher.group(1);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The process logging to " + log + " exited with " + process.exitValue());
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("No line of " + log + " matched " + line + " in time");
  }

  /** A JSON document from a Spark web UI, or empty while it does not answer. */
  static Optional<JsonNode> getJson(String url) throws InterruptedException {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Path log(String name) {
    return dir.resolve("logs").resolve(name + ".log");
  }

  private void linkSparkJars() throws IOException {
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.createDirectories(dir.resolve("logs"));
    for (String entry : SparkClasspath.entries()) {
      Path jar = Path.of(entry);
      Path link = jars.resolve(jar.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, jar);
      }
    }
  }

  private Process daemon(String name, List<String> jvmOptions, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(SparkSubmitCommand.javaOptions());
    command.addAll(SHORT_LIVED_JVM);
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath(), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(name).toFile());
    builder.environment().putAll(environment());
    return builder.start();
  }
}
