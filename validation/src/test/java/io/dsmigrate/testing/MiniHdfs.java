package io.dsmigrate.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * A real HDFS for tests: Hadoop's MiniDFSCluster, a NameNode and its DataNodes on 127.0.0.1, in a
 * JVM of its own. That JVM runs only Hadoop's shaded minicluster (laid out by the validation
 * build), so the HDFS server never meets Spark's classpath; the test JVM talks to it with Spark's
 * own Hadoop client, as dsmigrate does on a cluster. Permissions are off, so any user may write.
 *
 * <p>{@link #start} returns once the NameNode answers and has left safe mode; {@link #uri()} is
 * where to write. Everything (data, configuration, the log) stays under the directory given, and
 * {@link #close()} ends the JVM and waits until it is gone. {@link #logTail} is for failure
 * messages.
 */
public final class MiniHdfs implements AutoCloseable {
  private static final String MAIN = "org.apache.hadoop.test.MiniDFSClusterManager";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern PORT = Pattern.compile("\"namenode_port\"\\s*:\\s*(\\d+)\\s*}");

  private final Path dir;
  private final Process process;
  private final Thread killOnExit;
  private URI uri;

  private MiniHdfs(Path dir, Process process) {
    this.dir = dir;
    this.process = process;
    this.killOnExit = new Thread(() -> destroyTree(process.toHandle()), "mini-hdfs-kill");
  }

  /** An HDFS with one DataNode under {@code dir}; see {@link #start(Path, int)}. */
  public static MiniHdfs start(Path dir) throws IOException, InterruptedException {
    return start(dir, 1);
  }

  /**
   * Formats and starts an HDFS with {@code dataNodes} DataNodes under {@code dir}, on free ports of
   * 127.0.0.1, and waits until it can be written to.
   */
  public static MiniHdfs start(Path dir, int dataNodes) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path details = dir.resolve("details.json");
    Files.deleteIfExists(details);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx512m",
            // A JVM that lives for a test class: C1 and one GC thread cost the least CPU.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Djava.net.preferIPv4Stack=true",
            // Jetty unpacks the web UIs to the temporary directory: keep them under dir too.
            "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
            "-Dtest.build.data=" + dir.resolve("data"),
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            "-cp",
            classpath(),
            MAIN,
            "-format",
            "-datanodes",
            Integer.toString(dataNodes),
            "-nnport",
            "0",
            "-httpport",
            "0",
            "-writeConfig",
            dir.resolve("hdfs-site.xml").toString(),
            "-writeDetails",
            details.toString(),
            "-D",
            "hdfs.minidfs.basedir=" + dir.resolve("data"),
            "-D",
            "dfs.permissions.enabled=false"));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mini-hdfs.log").toFile())
            .start();
    MiniHdfs hdfs = new MiniHdfs(dir, process);
    Runtime.getRuntime().addShutdownHook(hdfs.killOnExit);
    try {
      int port = hdfs.awaitPort(details);
      hdfs.uri = URI.create("hdfs://127.0.0.1:" + port);
      hdfs.awaitOutOfSafeMode();
      return hdfs;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      hdfs.close();
      throw e;
    }
  }

  /** The file system's address, {@code hdfs://127.0.0.1:PORT}. */
  public URI uri() {
    return uri;
  }

  /** The log of the HDFS JVM: its stdout and stderr. */
  public Path log() {
    return dir.resolve("mini-hdfs.log");
  }

  /** The last {@code lines} lines of the log, for a failure message. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.exists(log()) ? Files.readAllLines(log()) : List.of();
      return "== "
          + log()
          + "\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log() + ": " + e + ")";
    }
  }

  /** Ends the HDFS JVM (SIGTERM, then SIGKILL if it lingers) and waits until it is gone. */
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
    // The DataNodes run df and du now and then; none may outlive the test.
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** Waits for the port that the manager writes once the NameNode and DataNodes are up. */
  private int awaitPort(Path details) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(details)) {
        Matcher port = PORT.matcher(Files.readString(details));
        if (port.find()) {
          return Integer.parseInt(port.group(1));
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The tests' HDFS exited with "
                + process.exitValue()
                + " while starting:\n"
                + logTail(60));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "The tests' HDFS did not start within " + START_TIMEOUT + ":\n" + logTail(60));
  }

  /** Waits until the NameNode answers a client and has left safe mode, so that writes succeed. */
  private void awaitOutOfSafeMode() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (FileSystem fs = FileSystem.newInstance(uri, new Configuration())) {
      DistributedFileSystem dfs = (DistributedFileSystem) fs;
      while (dfs.isInSafeMode()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "The tests' HDFS at " + uri + " stayed in safe mode:\n" + logTail(60));
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * The classpath that the validation build laid out for the HDFS JVM: only Hadoop's minicluster
   * and what it runs on.
   */
  private static String classpath() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = MiniHdfs.class.getResourceAsStream("mini-hdfs.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "mini-hdfs.properties is not on the classpath: build the validation test-jar");
      }
      properties.load(in);
    }
    String classpath = properties.getProperty("classpath");
    for (String entry : classpath.split(File.pathSeparator)) {
      Path path = Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry);
      if (!Files.isDirectory(path)) {
        throw new IllegalStateException(
            "Cannot start the tests' HDFS: "
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
