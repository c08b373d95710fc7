package io.dsmigrate.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
public final class MiniHdfs extends ServerJvm {
  private static final String NAME = "the tests' HDFS";
  private static final String MAIN = "org.apache.hadoop.test.MiniDFSClusterManager";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern PORT = Pattern.compile("\"namenode_port\"\\s*:\\s*(\\d+)\\s*}");

  private URI uri;

  private MiniHdfs(Path dir, List<String> arguments) throws IOException {
    super(NAME, dir, dir.resolve("mini-hdfs.log"), "512m", arguments);
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
    List<String> arguments =
        List.of(
            // Jetty unpacks the web UIs to the temporary directory: keep them under dir too.
            "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
            "-Dtest.build.data=" + dir.resolve("data"),
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            "-cp",
            classpath(MiniHdfs.class, "mini-hdfs.properties", NAME),
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
            "dfs.permissions.enabled=false");
    MiniHdfs hdfs = new MiniHdfs(dir, arguments);
    try {
      // The manager writes the details once the NameNode and DataNodes are up.
      int port = hdfs.awaitNumber(details, PORT, START_TIMEOUT);
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
}
