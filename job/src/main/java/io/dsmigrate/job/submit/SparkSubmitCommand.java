package io.dsmigrate.job.submit;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.MigrationJobMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The spark-submit command that runs one partition of a plan: Spark's launcher, the master, the job
 * jar and its main class, the JVM flags Spark needs on Java 17 for the driver and the executors,
 * settings for Spark, and the job's own arguments.
 *
 * <p>{@link #arguments()} is what a process runs; {@link #toShell()} is the same command as one
 * line that a POSIX shell reads back into exactly those arguments.
 *
 * @param launcher how spark-submit is started: {@link #sparkSubmitScript} or {@link
 *     #sparkSubmitClass}
 * @param master the Spark master URL
 * @param deployMode {@code client} or {@code cluster}, or null for spark-submit's default (client)
 * @param jobJar the shaded job jar (a local path or a URL the cluster reads)
 * @param sparkConf Spark settings, in order; JVM options given here come before Spark's flags
 * @param job the job's arguments
 */
public record SparkSubmitCommand(
    List<String> launcher,
    String master,
    String deployMode,
    String jobJar,
    Map<String, String> sparkConf,
    JobArguments job) {
  /** The job's main class. */
  public static final String MAIN_CLASS = MigrationJobMain.class.getName();

  private static final String DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions";
  private static final String EXECUTOR_JAVA_OPTIONS = "spark.executor.extraJavaOptions";
  private static final Pattern MASTER =
      Pattern.compile(
          "local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?])?"
              + "|local-cluster\\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*]"
              + "|spark://[^/:,\\s]+:[0-9]+(,[^/:,\\s]+:[0-9]+)*"
              + "|yarn"
              + "|k8s://\\S+");
  private static final Set<String> DEPLOY_MODES = Set.of("client", "cluster");
  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  public SparkSubmitCommand {
    launcher = List.copyOf(launcher);
    requireNonNull(master, "master is null");
    requireNonNull(jobJar, "jobJar is null");
    requireNonNull(job, "job is null");
    if (launcher.isEmpty()) {
      throw new IllegalArgumentException("launcher is empty");
    }
    if (!MASTER.matcher(master).matches()) {
      throw new IllegalArgumentException(
          "'"
              + master
              + "' is not a Spark master URL; use spark://HOST:PORT, yarn, k8s://https://HOST:PORT or local[N]");
    }
    if (deployMode != null && !DEPLOY_MODES.contains(deployMode)) {
      throw new IllegalArgumentException(
          "'" + deployMode + "' is not a deploy mode; use client or cluster");
    }
    for (String key : sparkConf.keySet()) {
      if (!key.startsWith("spark.")) {
        throw new IllegalArgumentException(
            "'"
                + key
                + "' is not a Spark setting (those start with 'spark.'); give dsmigrate settings with -Dkey=value or --conf FILE");
      }
    }
    sparkConf = Collections.unmodifiableMap(new LinkedHashMap<>(sparkConf));
  }

  /** Spark's {@code bin/spark-submit} of an installation. */
  public static List<String> sparkSubmitScript(Path sparkHome) {
    Path script = sparkHome.resolve("bin").resolve("spark-submit");
    if (!Files.isExecutable(script)) {
      throw new IllegalArgumentException(
          "Cannot submit with Spark at "
              + sparkHome
              + ": "
              + script
              + " is missing or not executable. Point SPARK_HOME (or --spark-home) at a Spark 4.2 / Scala 2.13 installation, or unset it to use the Spark that dsmigrate runs on");
    }
    return List.of(script.toString());
  }

  /**
   * Spark's {@code SparkSubmit} entry point in a new JVM of the running Java, for when there is no
   * Spark installation: the classpath must hold Spark. The driver runs in that JVM in client mode,
   * so it gets Spark's JVM flags here.
   */
  public static List<String> sparkSubmitClass(String classpath) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaOptions());
    command.addAll(List.of("-cp", classpath, "org.apache.spark.deploy.SparkSubmit"));
    return command;
  }

  /** The JVM flags Spark needs on Java 17 (the {@code --add-opens} list among them). */
  public static List<String> javaOptions() {
    String resource = "spark-java-options.txt";
    try (InputStream in = SparkSubmitCommand.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the dsmigrate-job classes");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      if (text.startsWith("${")) {
        throw new IllegalStateException(
            resource + " was not filtered by the build; build dsmigrate with Maven");
      }
      return List.of(text.split("\\s+"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The shaded job jar that belongs to the dsmigrate-job classes running now: next to their jar
   * ({@code dsmigrate-job-V.jar} beside {@code dsmigrate-job-V-spark.jar}, as the build and a Maven
   * repository lay them out), or in the build directory above {@code target/classes}.
   */
  public static Optional<Path> bundledJobJar() {
    CodeSource source = MigrationJobMain.class.getProtectionDomain().getCodeSource();
    if (source == null) {
      return Optional.empty();
    }
    Path classes;
    try {
      classes = Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty(); // not a file: the jar is nowhere to look for
    }
    String name = classes.getFileName().toString();
    if (Files.isRegularFile(classes)) {
      Path jar =
          name.endsWith("-spark.jar")
              ? classes
              : classes.resolveSibling(name.replaceFirst("\\.jar$", "") + "-spark.jar");
      return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }
    if (classes.getParent() == null) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(classes.getParent(), "dsmigrate-job-*-spark.jar")) {
      for (Path jar : jars) {
        return Optional.of(jar);
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The whole command, as a process runs it. */
  public List<String> arguments() {
    Map<String, String> conf = new LinkedHashMap<>(sparkConf);
    String flags = String.join(" ", javaOptions());
    // Spark's flags come last so that a user's own options cannot drop them.
    conf.merge(DRIVER_JAVA_OPTIONS, flags, (given, ours) -> given + " " + ours);
    conf.merge(EXECUTOR_JAVA_OPTIONS, flags, (given, ours) -> given + " " + ours);
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of("--master", master));
    if (deployMode != null) {
      command.addAll(List.of("--deploy-mode", deployMode));
    }
    command.addAll(List.of("--class", MAIN_CLASS));
    conf.forEach((key, value) -> command.addAll(List.of("--conf", key + "=" + value)));
    command.add(jobJar);
    command.addAll(job.toList());
    return command;
  }

  /** The whole command as one line for a POSIX shell. */
  public String toShell() {
    return arguments().stream()
        .map(SparkSubmitCommand::shellQuote)
        .collect(Collectors.joining(" "));
  }

  /** One argument as a POSIX shell reads it back unchanged. */
  public static String shellQuote(String argument) {
    if (SHELL_SAFE.matcher(argument).matches()) {
      return argument;
    }
    return "'" + argument.replace("'", "'\\''") + "'";
  }
}
