package io.dsmigrate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hive metastore in a JVM of its own ({@code org.apache.hadoop.hive.metastore.HiveMetaStore}, the
 * thrift server of Hive 2.3, which Spark's Hive client brings), for tests of Spark applications
 * that share one metastore the way they do on a cluster. It keeps its catalog in an embedded Derby
 * database and its warehouse in a directory of its own, both under the directory it is given, and
 * listens on a free port. Clients reach it at {@link #uri()}, on 127.0.0.1.
 *
 * <p>Hive 2.3 binds the thrift server to every interface, not to the loopback address only: its
 * server socket is {@code new InetSocketAddress(port)} and no setting changes that ({@code
 * hive.metastore.thrift.bind.host} came with Hive 3). It serves for the length of a test, with
 * nothing in it but the test's tables.
 *
 * <p>Its log (every metastore call, at info) is {@link #log()}; {@link #close()} stops it and waits
 * until it has ended.
 */
public final class HiveMetastoreServer implements AutoCloseable {
  private static final String MAIN_CLASS = "org.apache.hadoop.hive.metastore.HiveMetaStore";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final int ATTEMPTS = 3;

  private final Process process;
  private final int port;
  private final String warehouse;
  private final Path log;

  private HiveMetastoreServer(Process process, int port, String warehouse, Path log) {
    this.process = process;
    this.port = port;
    this.warehouse = warehouse;
    this.log = log;
  }

  /**
   * Starts a metastore with its database, warehouse and log under {@code dir}, and returns once its
   * port answers. A port that another process takes between the choice and the start is replaced by
   * another.
   */
  public static HiveMetastoreServer start(Path dir) throws InterruptedException {
    try {
      Files.createDirectories(dir.resolve("warehouse"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return start(dir, dir.resolve("warehouse").toUri().toString());
  }

  /**
   * Starts a metastore with its database and log under {@code dir} and its warehouse at {@code
   * warehouse}, a URI on any file system (e.g. {@code hdfs://127.0.0.1:PORT/warehouse}, which its
   * Hadoop client then writes database directories to).
   */
  public static HiveMetastoreServer start(Path dir, String warehouse) throws InterruptedException {
    Path logConfig = dir.resolve("metastore-log4j2.properties");
    try {
      Files.createDirectories(dir);
      Files.writeString(
          logConfig,
          String.join(
              "\n",
              "rootLogger.level = warn",
              "rootLogger.appenderRef.out.ref = out",
              "appender.out.type = Console",
              "appender.out.name = out",
              "appender.out.layout.type = PatternLayout",
              "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
              // Its start and every call it serves (the audit log is below it).
              "logger.metastore.name = org.apache.hadoop.hive.metastore.HiveMetaStore",
              "logger.metastore.level = info",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      int port = freePort();
      Path log = dir.resolve("metastore-" + attempt + ".log");
      Process process =
          ChildJvm.of(MAIN_CLASS, dir, log)
              .withJvmOptions(
                  "-Xmx512m",
                  "-Dlog4j.configurationFile=" + logConfig,
                  "-Dderby.system.home=" + dir,
                  // Thrown away after the test: Derby need not force each commit to disk.
                  "-Dderby.system.durability=test")
              .withArguments(
                  "-p",
                  String.valueOf(port),
                  "--hiveconf",
                  "javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName="
                      + dir.resolve("metastore_db")
                      + ";create=true",
                  "--hiveconf",
                  "datanucleus.schema.autoCreateAll=true",
                  "--hiveconf",
                  "hive.metastore.schema.verification=false",
                  "--hiveconf",
                  "hive.metastore.warehouse.dir=" + warehouse,
                  "--hiveconf",
                  "hive.metastore.server.min.threads=4")
              .start();
      HiveMetastoreServer server = new HiveMetastoreServer(process, port, warehouse, log);
      try {
        if (server.awaitPort()) {
          return server;
        }
      } catch (RuntimeException | InterruptedException | Error e) {
        server.close();
        throw e;
      }
      server.close();
      String output = server.logText();
      failures.add("port " + port + ": exit " + process.exitValue() + "\n" + output);
      if (!output.contains("Address already in use")) {
        break;
      }
    }
    throw new IllegalStateException(
        "The Hive metastore did not start:\n" + String.join("\n", failures));
  }

  /** The thrift URI clients give as {@code hive.metastore.uris}. */
  public String uri() {
    return "thrift://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The metastore's own warehouse ({@code hive.metastore.warehouse.dir}). */
  public String warehouse() {
    return warehouse;
  }

  /** The file that holds the metastore's output and log. */
  public Path log() {
    return log;
  }

  /** The log so far. */
  public String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Stops the metastore (kills its JVM: nothing in it outlives the test) and waits until it has
   * ended.
   */
  @Override
  public void close() {
    ChildJvm.destroy(process.toHandle());
  }

  /** True once the port answers; false if the process ended first. */
  private boolean awaitPort() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return true;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "The Hive metastore did not answer on port "
            + port
            + " within "
            + START_TIMEOUT
            + ":\n"
            + logText());
  }

  /** A port that no socket holds now, on any interface (the metastore binds them all). */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
