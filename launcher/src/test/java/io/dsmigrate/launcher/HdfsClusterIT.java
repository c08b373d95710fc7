package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.testing.ChildJvm;
import io.dsmigrate.testing.HiveMetastoreServer;
import io.dsmigrate.testing.MiniHdfs;
import io.dsmigrate.testing.SparkSqlJvm;
import io.dsmigrate.testing.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * dsmigrate where the data lives: a real HDFS ({@link MiniHdfs}) and a Hive metastore in another
 * process ({@link HiveMetastoreServer}, its warehouse on that HDFS), driven by {@code
 * conf/cluster.conf} as it is written, with only the addresses of the test cluster put in. Every
 * dsmigrate command runs in a JVM of its own, the way a scheduler runs it, whose only local
 * directories are Spark's scratch space: sources, targets, snapshots, the ledger, pause requests,
 * plans and the results all live on HDFS, and the test checks that nothing else reached the local
 * disk.
 */
class HdfsClusterIT extends SparkTestBase {
  private static final String RUN = "hdfs-run";
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(4);

  private static MiniHdfs hdfs;
  private static HiveMetastoreServer metastore;
  private static Path base;

  @BeforeAll
  static void startTheCluster() throws Exception {
    base = Files.createTempDirectory("dsmigrate-hdfs-it");
    hdfs = MiniHdfs.start(base.resolve("hdfs"));
    metastore = HiveMetastoreServer.start(base.resolve("metastore"), hdfs.uri() + "/warehouse");
  }

  @AfterAll
  static void stopTheCluster() {
    if (metastore != null) {
      metastore.close();
    }
    if (hdfs != null) {
      hdfs.close();
    }
  }

  private static String hdfs(String path) {
    return hdfs.uri() + path;
  }

  private static FileSystem fileSystem() throws IOException {
    return FileSystem.get(hdfs.uri(), new Configuration());
  }

  /** Every file under {@code path}: its path below it, and its bytes' MD5-of-CRC checksum. */
  private static Map<String, String> files(String path) throws IOException {
    FileSystem fs = fileSystem();
    Map<String, String> files = new TreeMap<>();
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(hdfs(path));
    if (!fs.exists(root)) {
      return files;
    }
    RemoteIterator<LocatedFileStatus> listing = fs.listFiles(root, true);
    while (listing.hasNext()) {
      LocatedFileStatus file = listing.next();
      String below = file.getPath().toUri().getPath().substring(path.length());
      files.put(below, file.getLen() + " " + fs.getFileChecksum(file.getPath()));
    }
    return files;
  }

  /** {@code conf/cluster.conf} as written, with the test cluster's addresses put in. */
  private static Path clusterConf() throws IOException {
    String written = Files.readString(Path.of("..", "conf", "cluster.conf"));
    assertThat(written)
        .contains("hdfs:///user/dsmigrate")
        .contains("thrift://metastore.example.internal:9083");
    Path conf = base.resolve("cluster.conf");
    Files.writeString(
        conf,
        written
            .replace("hdfs:///", hdfs.uri() + "/")
            .replace("thrift://metastore.example.internal:9083", metastore.uri()));
    return conf;
  }

  /**
   * A dsmigrate command in a JVM of its own, in an empty working directory, with Spark's scratch
   * space and the JVM's temporary files under {@code base/scratch} and the cluster's default file
   * system (as {@code core-site.xml} gives it on a cluster) passed the way spark-submit passes
   * {@code --conf}s.
   */
  private static ChildJvm.Exit dsmigrate(String name, String... arguments) throws Exception {
    // The warehouse a cluster's spark-defaults.conf gives.
    return dsmigrateWith(name, "-Dspark.sql.warehouse.dir=" + hdfs("/warehouse"), arguments);
  }

  private static ChildJvm.Exit dsmigrateWith(String name, String warehouse, String... arguments)
      throws Exception {
    Path scratch = base.resolve("scratch");
    ChildJvm child =
        ChildJvm.of(Dsmigrate.class, base.resolve("cwd"), base.resolve("logs/" + name + ".log"))
            .withTestLogging()
            .withJvmOptions(
                "-Xmx1g",
                "-XX:-UsePerfData",
                "-Djava.io.tmpdir=" + scratch.resolve("tmp"),
                "-Dspark.local.dir=" + scratch.resolve("spark"),
                "-Dspark.hadoop.fs.defaultFS=" + hdfs.uri(),
                "-Dspark.ui.enabled=false",
                // Tiny datasets: the partitions of cluster.conf's 200 would only take time here.
                "-Dspark.sql.shuffle.partitions=4",
                warehouse)
            .withArguments(arguments);
    Files.createDirectories(scratch.resolve("tmp"));
    return child.run(COMMAND_TIMEOUT);
  }

  @Test
  void aFleetOnHdfsWithARemoteMetastoreResumesPausesAndRollsBackFromClusterConf() throws Exception {
    // Sources: two Parquet directories on HDFS, and a Hive table in the metastore whose files are
    // on HDFS.
    spark()
        .range(30)
        .selectExpr("id", "concat('event-', id) AS name")
        .write()
        .parquet(hdfs("/data/legacy/events"));
    spark()
        .range(20)
        .selectExpr("id", "id * 3 AS clicks")
        .write()
        .parquet(hdfs("/data/legacy/clicks"));
    SparkSqlJvm.run(
        metastore,
        base.resolve("sql"),
        "create-sources",
        "CREATE DATABASE legacy",
        "CREATE TABLE legacy.orders (id BIGINT, amount DOUBLE) USING parquet LOCATION '"
            + hdfs("/data/legacy/orders")
            + "'",
        "INSERT INTO legacy.orders SELECT id, id * 1.5 FROM range(12)");
    Map<String, String> eventsBefore = files("/data/legacy/events");
    assertThat(eventsBefore).isNotEmpty();

    Path specs = base.resolve("specs");
    Files.createDirectories(specs);
    Files.writeString(
        specs.resolve("fleet.yaml"),
        """
        id: events
        source: { path: "hdfs:///data/legacy/events" }
        target: { path: "hdfs:///data/legacy/events" }
        transform: { rename: { name: event_name } }
        ---
        id: clicks
        source: { path: /data/legacy/clicks }
        target: { path: /warehouse/clicks }
        ---
        id: orders
        source: { table: legacy.orders }
        target: { table: analytics.orders }
        """);
    Path conf = clusterConf();

    String[] planArguments = {
      "plan",
      "--specs",
      specs.toString(),
      "--conf",
      conf.toString(),
      "--pilot",
      "0",
      "--out",
      "/user/dsmigrate/plans/fleet.json"
    };
    // A cluster that names no warehouse would have Spark put dsmigrate's databases and managed
    // tables in ./spark-warehouse on the driver's disk: refused before anything is written.
    ChildJvm.Exit noWarehouse = dsmigrateWith("no-warehouse", "-Dno.warehouse=", planArguments);
    assertThat(noWarehouse.code()).as(noWarehouse.output()).isEqualTo(Dsmigrate.BAD_INPUT);
    assertThat(noWarehouse.output())
        .contains("The metastore keeps its default database at " + hdfs("/warehouse"))
        .contains("set spark.sql.warehouse.dir to the cluster's warehouse");
    assertThat(files("/user/dsmigrate")).isEmpty();

    ChildJvm.Exit plan = dsmigrate("plan", planArguments);
    assertThat(plan.code()).as(plan.output()).isZero();
    assertThat(plan.output())
        .contains("Plan written to " + hdfs("/user/dsmigrate/plans/fleet.json"));

    List<String> run =
        List.of(
            "run",
            "--plan",
            "hdfs:///user/dsmigrate/plans/fleet.json",
            "--conf",
            conf.toString(),
            "--run-id",
            RUN);

    // Killed right after the in-place source's snapshot: the copy is on HDFS.
    ChildJvm.Exit crashed =
        dsmigrate("crash", with(run, "-Ddsmigrate.testing.halt-after=events:SNAPSHOTTED"));
    assertThat(crashed.code()).as(crashed.output()).isEqualTo(HaltPoint.STATUS);
    Map<String, String> snapshot = files("/user/dsmigrate/snapshots/" + RUN + "/events/data");
    assertThat(snapshot.keySet())
        .as("the snapshot holds every file of the source")
        .containsAll(eventsBefore.keySet());

    // A pause request on HDFS holds the run.
    ChildJvm.Exit pause = dsmigrate("pause", "pause", "--run", RUN, "--conf", conf.toString());
    assertThat(pause.code()).as(pause.output()).isZero();
    assertThat(files("/user/dsmigrate/control")).isNotEmpty();
    ChildJvm.Exit paused = dsmigrate("paused", run.toArray(String[]::new));
    assertThat(paused.code()).as(paused.output()).isEqualTo(FleetReport.PAUSED);
    ChildJvm.Exit resume = dsmigrate("resume", "resume", "--run", RUN, "--conf", conf.toString());
    assertThat(resume.code()).as(resume.output()).isZero();

    ChildJvm.Exit resumed = dsmigrate("resumed", run.toArray(String[]::new));
    assertThat(resumed.code()).as(resumed.output()).isZero();

    List<Row> results =
        spark()
            .read()
            .format("delta")
            .load(hdfs("/warehouse/dsmigrate.db/migration_results"))
            .where("run_id = '" + RUN + "'")
            .select("dataset_id", "status")
            .collectAsList();
    assertThat(results.stream().map(Row::toString).distinct())
        .as("every dataset succeeded once, in one of the three runs")
        .contains("[clicks,SUCCEEDED]", "[events,SUCCEEDED]", "[orders,SUCCEEDED]")
        .noneMatch(row -> row.contains("FAILED"));
    assertThat(spark().read().format("delta").load(hdfs("/data/legacy/events")).count())
        .isEqualTo(30);
    assertThat(spark().read().format("delta").load(hdfs("/data/legacy/events")).columns())
        .containsExactly("id", "event_name");
    assertThat(spark().read().format("delta").load(hdfs("/warehouse/clicks")).count())
        .isEqualTo(20);
    assertThat(files("/user/dsmigrate/snapshots/" + RUN).keySet())
        .as("only the in-place source was snapshotted")
        .allMatch(file -> file.startsWith("/events/"));
    assertThat(files("/user/dsmigrate/ledger")).isNotEmpty();
    // Another application, on the metastore alone, reads the migrated table.
    assertThat(
            SparkSqlJvm.run(
                metastore,
                base.resolve("sql"),
                "read-targets",
                "SELECT count(*), sum(amount) FROM analytics.orders"))
        .containsExactly(List.of("[12,99.0]"));

    ChildJvm.Exit rollback =
        dsmigrate("rollback", "rollback", "--run", RUN, "--conf", conf.toString());
    assertThat(rollback.code()).as(rollback.output()).isZero();
    assertThat(files("/data/legacy/events"))
        .as("the in-place source is back, file for file, byte for byte")
        .isEqualTo(eventsBefore);
    assertThat(fileSystem().exists(new org.apache.hadoop.fs.Path(hdfs("/warehouse/clicks"))))
        .isFalse();
    assertThat(
            SparkSqlJvm.run(
                metastore, base.resolve("sql"), "after-rollback", "SHOW TABLES IN analytics"))
        .containsExactly(List.of());

    // Nothing but scratch space reached the local disk: Spark's (spark.local.dir), and in the
    // JVMs' temporary directory the native libraries of Spark's codecs (LZ4, Snappy), unpacked
    // there to be loaded, Hive's per-session resource directories and Spark's artifact
    // directories, both empty.
    assertThat(tree(base.resolve("cwd"))).as("the commands' working directory").isEmpty();
    try (Stream<Path> entries = Files.list(base.resolve("scratch/tmp"))) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .as("the JVMs' temporary directory")
          .allMatch(
              name ->
                  name.matches(".*\\.so(\\.lck)?|[0-9a-f-]{36}_resources|artifacts-[0-9a-f-]{36}"));
    }
    try (Stream<Path> files = Files.walk(base.resolve("scratch/tmp"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .as("the only files in the temporary directory: native libraries")
          .allMatch(name -> name.matches(".*\\.so(\\.lck)?"));
    }
  }

  private static String[] with(List<String> arguments, String... more) {
    List<String> all = new ArrayList<>(arguments);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static List<String> tree(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(p -> !p.equals(directory))
          .map(p -> directory.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}
