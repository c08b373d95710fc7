package io.dsmigrate.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class run in a new JVM of the running Java, on the test classpath, with the JVM flags that
 * Spark needs on Java 17 (the ones this JVM was started with), its output and errors in a log file.
 * For tests of what only separate processes show: a metastore shared by several Spark applications,
 * a command run the way a user runs it.
 *
 * @param mainClass the class whose main runs
 * @param jvmOptions options for the JVM, after Spark's flags
 * @param arguments the main method's arguments
 * @param directory the working directory (relative paths and Spark's defaults land there)
 * @param log the file that receives the process's output and errors
 */
public record ChildJvm(
    String mainClass, List<String> jvmOptions, List<String> arguments, Path directory, Path log) {
  /**
   * For JVMs that live a minute or less: compiling with C1 only costs far less CPU, and the serial
   * collector has no threads of its own to compete for the cores.
   */
  private static final List<String> SHORT_LIVED =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  public ChildJvm {
    requireNonNull(mainClass, "mainClass is null");
    jvmOptions = List.copyOf(jvmOptions);
    arguments = List.copyOf(arguments);
    requireNonNull(directory, "directory is null");
    requireNonNull(log, "log is null");
  }

  /**
   * {@code mainClass} with no options or arguments yet, in {@code directory}, logging to {@code
   * log}.
   */
  public static ChildJvm of(Class<?> mainClass, Path directory, Path log) {
    return of(mainClass.getName(), directory, log);
  }

  /** Like {@link #of(Class, Path, Path)}, for a class this code does not see. */
  public static ChildJvm of(String mainClass, Path directory, Path log) {
    return new ChildJvm(mainClass, List.of(), List.of(), directory, log);
  }

  /** A copy with these JVM options added. */
  public ChildJvm withJvmOptions(String... options) {
    List<String> all = new ArrayList<>(jvmOptions);
    all.addAll(List.of(options));
    return new ChildJvm(mainClass, all, arguments, directory, log);
  }

  /** A copy with these arguments added. */
  public ChildJvm withArguments(List<String> more) {
    List<String> all = new ArrayList<>(arguments);
    all.addAll(more);
    return new ChildJvm(mainClass, jvmOptions, all, directory, log);
  }

  /** A copy with these arguments added. */
  public ChildJvm withArguments(String... more) {
    return withArguments(List.of(more));
  }

  /** A copy with the log configuration of this JVM's tests (warnings, and dsmigrate's info). */
  public ChildJvm withTestLogging() {
    String config = System.getProperty("log4j2.configurationFile");
    return config == null ? this : withJvmOptions("-Dlog4j2.configurationFile=" + config);
  }

  /** The command line that starts it. */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(sparkFlags());
    command.addAll(SHORT_LIVED);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(arguments);
    return command;
  }

  /** Starts it; the caller ends it. Spark binds to the loopback address only. */
  public Process start() {
    try {
      Files.createDirectories(directory);
      Files.createDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command())
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + mainClass, e);
    }
  }

  /** What a process that ran to its end left: its exit code and its log. */
  public record Exit(int code, String output) {}

  /**
   * Runs it to its end; fails (the process and its children killed, its log in the message) if it
   * takes longer than {@code timeout}.
   */
  public Exit run(Duration timeout) throws InterruptedException {
    Process process = start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            mainClass + " " + arguments + " did not end within " + timeout + ":\n" + output());
      }
      return new Exit(process.exitValue(), output());
    } finally {
      destroy(process.toHandle());
    }
  }

  /** The log so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Kills a process and everything it started, and waits until they are gone. */
  public static void destroy(ProcessHandle process) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("Process " + handle.pid() + " did not end when killed", e);
      }
    }
  }

  /**
   * The flags this JVM runs with that Spark needs on Java 17 ({@code --add-opens} and the others of
   * the build's {@code spark.jvm.flags}): a child started from a test gets what its parent got.
   */
  static List<String> sparkFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            flag ->
                flag.startsWith("--add-opens=")
                    || flag.startsWith("--add-exports=")
                    || flag.startsWith("--add-modules=")
                    || flag.equals("-XX:+IgnoreUnrecognizedVMOptions")
                    || flag.startsWith("-Djdk.reflect.useDirectMethodHandle=")
                    || flag.startsWith("-Dio.netty.tryReflectionSetAccessible="))
        .toList();
  }
}
