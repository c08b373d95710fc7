package io.dsmigrate.launcher;

import static io.dsmigrate.launcher.Cli.dsmigrate;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.ChildJvm;
import io.dsmigrate.testing.HiveMetastoreServer;
import io.dsmigrate.testing.SparkSqlJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dsmigrate on a Hive metastore that runs in a JVM of its own, as a cluster's does: every command
 * runs in a new JVM (as {@code bin/dsmigrate} starts it) that knows the metastore only from {@code
 * spark.hadoop.hive.metastore.uris}; {@code submit --parallel 2} runs two spark-submit drivers on
 * it at once; and a Spark application of its own reads every table afterwards through the
 * metastore. The source tables are made by such an application too, so nothing passes from one
 * process to the next but the metastore and the files.
 */
class RemoteMetastoreIT {
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(4);

  @TempDir Path temp;

  private HiveMetastoreServer metastore;
  private Path workdir;
  private final List<Path> logs = new ArrayList<>();

  @Test
  void everyCommandWorksOnASharedMetastoreAndAnotherApplicationReadsWhatItWrote() throws Exception {
    metastore = HiveMetastoreServer.start(temp.resolve("metastore"));
    logs.add(metastore.log());
    workdir = temp.resolve("work");
    try {
      migrateAndRollBack();
    } catch (AssertionError | RuntimeException failure) {
      // What the other processes said, for what the assertion cannot show.
      for (Path log : logs) {
        System.err.println("===== " + log + "\n" + tail(log));
      }
      throw failure;
    } finally {
      metastore.close();
    }
  }

  private void migrateAndRollBack() throws Exception {
    Path data = temp.resolve("data");
    sql(
        "sources",
        "CREATE DATABASE legacy",
        "CREATE TABLE legacy.orders (id INT, amt DOUBLE) STORED AS PARQUET",
        "INSERT INTO legacy.orders VALUES (1, 1.5), (2, 2.5), (3, 3.5)",
        "CREATE TABLE legacy.visits (id INT, page STRING) PARTITIONED BY (day STRING)"
            + " STORED AS PARQUET",
        "INSERT INTO legacy.visits PARTITION (day = '2026-01-01') VALUES (1, 'home'), (2, 'cart')",
        "INSERT INTO legacy.visits PARTITION (day = '2026-01-02') VALUES (3, 'home')",
        "CREATE TABLE legacy.customers (id INT, name STRING) STORED AS PARQUET",
        "INSERT INTO legacy.customers VALUES (1, 'ann'), (2, 'bob')",
        "CREATE TABLE legacy.sessions (id INT, seconds INT) PARTITIONED BY (day STRING)"
            + " STORED AS PARQUET",
        "INSERT INTO legacy.sessions PARTITION (day = '2026-01-01') VALUES (1, 30), (2, 45)",
        "CREATE TABLE legacy.items (sku STRING, qty INT) STORED AS PARQUET",
        "INSERT INTO legacy.items VALUES ('a', 1), ('b', 2)",
        "INSERT OVERWRITE DIRECTORY '"
            + data.resolve("events")
            + "' USING parquet SELECT id, concat('e', id) AS name FROM range(4)");

    // A fleet in two partitions, each its own spark-submit driver, both at once on the one
    // metastore (the first to use the results table creates it): a Hive Parquet table cut over
    // to a new table, a Parquet directory to a table, a partitioned Hive table converted to Delta
    // where it stands, and a Hive Parquet table to a new table with a cast.
    Path fleet =
        spec(
            "fleet.yaml",
            """
            datasets:
              - id: orders
                source: { table: legacy.orders }
                target: { table: sales.orders }
                transform: { rename: { amt: amount } }
                validation: { key: [ id ] }
                cutover: true
              - id: events
                source: { path: "%s" }
                target: { table: sales.events }
              - id: visits
                source: { table: legacy.visits }
                target: { table: legacy.visits, partitionBy: [ day ] }
              - id: items
                source: { table: legacy.items }
                target: { table: shop.items }
                transform: { cast: { qty: bigint } }
            """
                .formatted(data.resolve("events")));
    Path plan = temp.resolve("fleet-plan.json");
    ChildJvm.Exit planned =
        command(
            "plan",
            "plan",
            "--specs",
            fleet.toString(),
            "--partitions",
            "2",
            "--pilot",
            "0",
            "--out",
            plan.toString());
    assertThat(planned.output()).contains("4 datasets in 1 waves, 2 partitions");
    Outcome submitted =
        dsmigrate(
            "submit",
            "--plan",
            plan.toString(),
            "--master",
            "local[1]",
            "--spark-home=",
            "--parallel",
            "2",
            "--run-id",
            "fleet",
            "--workdir",
            workdir.toString(),
            "--spark-conf",
            "spark.hadoop.hive.metastore.uris=" + metastore.uri(),
            "--spark-conf",
            "spark.ui.enabled=false",
            "--spark-conf",
            "spark.sql.shuffle.partitions=2",
            "--spark-conf",
            "spark.databricks.delta.snapshotPartitions=2");
    assertThat(submitted.code()).as(submitted.out() + submitted.err()).isZero();
    assertThat(submitted.err()).doesNotContain("embedded Derby");
    assertThat(submitted.out())
        .contains("[partition 0] Run fleet: SUCCEEDED=")
        .contains("[partition 1] Run fleet: SUCCEEDED=")
        .contains("Partition 0: exit 0 (all done)")
        .contains("Partition 1: exit 0 (all done)");
    int firstDone = submitted.out().indexOf("] Run fleet: SUCCEEDED=");
    assertThat(submitted.out().indexOf("[partition 0] Run fleet: "))
        .as("both partitions started before either ended")
        .isLessThan(firstDone);
    assertThat(submitted.out().indexOf("[partition 1] Run fleet: ")).isLessThan(firstDone);
    ChildJvm.Exit dropped = command("drop-backups", "drop-backups", "--run", "fleet");
    assertThat(dropped.output()).contains("Dropped 1 of 1 backups");

    // A second run, rolled back: a cut-over, and a partitioned Hive table rewritten in place
    // (snapshotted first, its table definition and partitions put back by the rollback).
    Path second =
        spec(
            "second.yaml",
            """
            datasets:
              - id: customers
                source: { table: legacy.customers }
                target: { table: crm.customers }
                cutover: true
              - id: sessions
                source: { table: legacy.sessions }
                target: { table: legacy.sessions, partitionBy: [ day ] }
                transform: { cast: { seconds: bigint } }
            """);
    ChildJvm.Exit ranSecond =
        command("run-second", "run", "--specs", second.toString(), "--run-id", "second");
    assertThat(ranSecond.output()).contains("Run second: SUCCEEDED=2");
    ChildJvm.Exit rolledBack = command("rollback", "rollback", "--run", "second");
    assertThat(rolledBack.output()).contains("Rolled back 2 of 2 datasets of run second");

    // Another application, which shares nothing with the commands but the metastore.
    List<List<String>> read =
        sql(
            "reader",
            "SELECT id, amount FROM legacy.orders",
            "SELECT id, amount FROM sales.orders",
            "DESCRIBE DETAIL legacy.orders",
            "SHOW TABLES IN legacy",
            "SELECT * FROM sales.events",
            "SELECT * FROM legacy.visits",
            "DESCRIBE DETAIL legacy.visits",
            "SELECT * FROM legacy.customers",
            "DESCRIBE TABLE EXTENDED legacy.customers",
            "SHOW TABLES IN crm",
            "SELECT * FROM legacy.sessions",
            "SHOW PARTITIONS legacy.sessions",
            "DESCRIBE TABLE EXTENDED legacy.sessions",
            "SELECT * FROM shop.items",
            "SELECT run_id, dataset_id, status, content_match FROM dsmigrate.migration_results",
            "SELECT run_id, dataset_id, backup_table FROM dsmigrate.dropped_backups");
    // legacy.orders is cut over: it reads the new table, with the renamed column.
    assertThat(read.get(0)).containsExactly("[1,1.5]", "[2,2.5]", "[3,3.5]");
    assertThat(read.get(1)).containsExactly("[1,1.5]", "[2,2.5]", "[3,3.5]");
    assertThat(read.get(2)).singleElement().asString().startsWith("[delta,");
    assertThat(read.get(3))
        .containsExactly(
            "[legacy,customers,false]",
            "[legacy,items,false]",
            "[legacy,orders,false]",
            "[legacy,sessions,false]",
            "[legacy,visits,false]");
    assertThat(read.get(4)).containsExactly("[0,e0]", "[1,e1]", "[2,e2]", "[3,e3]");
    assertThat(read.get(5))
        .containsExactly("[1,home,2026-01-01]", "[2,cart,2026-01-01]", "[3,home,2026-01-02]");
    assertThat(read.get(6)).singleElement().asString().startsWith("[delta,");
    // The rolled-back run: the old tables as they were, Hive tables again.
    assertThat(read.get(7)).containsExactly("[1,ann]", "[2,bob]");
    assertThat(read.get(8)).contains("[Provider,hive,]");
    assertThat(read.get(9)).isEmpty();
    assertThat(read.get(10)).containsExactly("[1,30,2026-01-01]", "[2,45,2026-01-01]");
    assertThat(read.get(11)).containsExactly("[day=2026-01-01]");
    assertThat(read.get(12)).contains("[Provider,hive,]", "[seconds,int,null]");
    assertThat(read.get(13)).containsExactly("[a,1]", "[b,2]");
    assertThat(read.get(14))
        .containsExactlyInAnyOrder(
            "[fleet,items,SUCCEEDED,true]",
            "[fleet,orders,SUCCEEDED,true]",
            "[fleet,events,SUCCEEDED,true]",
            "[fleet,visits,SUCCEEDED,true]",
            "[second,customers,SUCCEEDED,true]",
            "[second,sessions,SUCCEEDED,true]",
            "[second,customers,ROLLED_BACK,true]",
            "[second,sessions,ROLLED_BACK,true]");
    assertThat(read.get(15))
        .singleElement()
        .asString()
        .startsWith("[fleet,orders,legacy.orders__bak_");
  }

  /** Runs a dsmigrate command in a new JVM on the metastore; fails unless it exits 0. */
  private ChildJvm.Exit command(String name, String... args) throws InterruptedException {
    List<String> arguments = new ArrayList<>(List.of(args));
    arguments.add("--workdir");
    arguments.add(workdir.toString());
    arguments.add("-Ddsmigrate.spark.conf.\"spark.hadoop.hive.metastore.uris\"=" + metastore.uri());
    Path log = temp.resolve("logs").resolve(name + ".log");
    logs.add(log);
    ChildJvm.Exit exit =
        ChildJvm.of(Dsmigrate.class, temp.resolve("cwd"), log)
            .withTestLogging()
            .withJvmOptions(
                "-Xmx1g",
                "-Dspark.ui.enabled=false",
                "-Dspark.sql.shuffle.partitions=2",
                "-Dspark.databricks.delta.snapshotPartitions=2")
            .withArguments(arguments)
            .run(COMMAND_TIMEOUT);
    assertThat(exit.code())
        .as("dsmigrate " + String.join(" ", args) + ":\n" + exit.output())
        .isZero();
    return exit;
  }

  private List<List<String>> sql(String name, String... statements) throws InterruptedException {
    logs.add(temp.resolve("clients").resolve(name + ".log"));
    return SparkSqlJvm.run(metastore, temp.resolve("clients"), name, statements);
  }

  private Path spec(String name, String text) throws java.io.IOException {
    Path file = temp.resolve("specs").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log)");
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 150), lines.size()));
    } catch (java.io.IOException e) {
      return "(cannot read it: " + e + ")";
    }
  }
}
