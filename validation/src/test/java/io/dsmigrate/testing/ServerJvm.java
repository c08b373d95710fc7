package io.dsmigrate.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server that a test harness runs in a JVM of its own ({@link MiniHdfs}, {@link S3Server}), on a
 * classpath the validation build laid out: its process, its log (stdout and stderr in one file),
 * and {@link #close()}, which ends it and every process it started and waits until they are gone. A
 * shutdown hook ends it should the test JVM exit first.
 */
public abstract class ServerJvm implements AutoCloseable {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final Process process;
  private final Path log;
  private final Thread killOnExit;

  /**
   * Starts {@code java} with {@code maxHeap}, the flags below and {@code arguments}, in {@code
   * directory}, its output in {@code log}.
   *
   * @param name the server's name in failure messages, e.g. "the tests' HDFS"
   */
  ServerJvm(String name, Path directory, Path log, String maxHeap, List<String> arguments)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx" + maxHeap,
            // A JVM that lives for a test class: C1 and one GC thread cost the least CPU.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Djava.net.preferIPv4Stack=true"));
    command.addAll(arguments);
    this.name = name;
    this.log = log;
    this.process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    this.killOnExit = new Thread(() -> destroyTree(process.toHandle()), "kill " + name);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Fails with the end of the log when the JVM has exited, saying what it was {@code doing}. */
  void checkAlive(String doing) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "The JVM of "
              + name
              + " exited with "
              + process.exitValue()
              + " while "
              + doing
              + ":\n"
              + logTail(60));
    }
  }

  /**
   * Waits until {@code file} (which the server writes) holds a match of {@code pattern}, and
   * returns its first group as a number: the port the server listens on.
   */
  int awaitNumber(Path file, Pattern pattern, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        Matcher match = pattern.matcher(Files.readString(file));
        if (match.find()) {
          return Integer.parseInt(match.group(1));
        }
      }
      checkAlive("starting");
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "The JVM of " + name + " did not start within " + timeout + ":\n" + logTail(60));
  }

  /** The server JVM's log: its stdout and stderr. */
  public Path log() {
    return log;
  }

  /** The last {@code lines} lines of the log, for a failure message. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return "== "
          + log
          + "\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Ends the server's JVM (SIGTERM, then SIGKILL if it lingers) and every process it started, and
   * waits until they are gone.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the test JVM is exiting: the hook ends the process
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        destroyTree(process.toHandle());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      destroyTree(process.toHandle());
    }
    // HDFS's DataNodes run df and du now and then; none may outlive the test.
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * The classpath in {@code resource} (next to {@code harness}) that the validation build laid out,
   * every entry of it checked to be there.
   */
  static String classpath(Class<?> harness, String resource, String name) throws IOException {
    Properties properties = new Properties();
    try (InputStream in = harness.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the classpath: build the validation test-jar");
      }
      properties.load(in);
    }
    String classpath = properties.getProperty("classpath");
    for (String entry : classpath.split(File.pathSeparator)) {
      Path path = Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry);
      if (!Files.exists(path)) {
        throw new IllegalStateException(
            "Cannot start "
                + name
                + ": "
                + path
                + " is missing. The validation module's build lays out its classpath: build it"
                + " with the tests that use it (mvn -pl validation,job ...).");
      }
    }
    return classpath;
  }

  private static void destroyTree(ProcessHandle process) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("Process " + handle.pid() + " did not end when killed", e);
      }
    }
  }
}
