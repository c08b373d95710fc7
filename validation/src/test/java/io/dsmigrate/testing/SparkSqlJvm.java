package io.dsmigrate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs SQL statements in a Spark application of its own, in a new JVM, on a {@link
 * HiveMetastoreServer}: what any other client of that metastore sees, with no state of the test's
 * JVM in between. Its session has Delta Lake and Spark's Hive client, and the metastore's warehouse
 * as its own, like a cluster's {@code spark-defaults.conf} would give it.
 */
public final class SparkSqlJvm {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private SparkSqlJvm() {}

  /**
   * Runs {@code statements} in order in one session and returns the rows of each, as sorted strings
   * ({@code [1,a]}); fails with the JVM's log if a statement fails. {@code dir} holds the log, the
   * output and the JVM's working directory.
   */
  public static List<List<String>> run(
      HiveMetastoreServer metastore, Path dir, String name, String... statements)
      throws InterruptedException {
    Path out = dir.resolve(name + ".rows");
    List<String> arguments = new ArrayList<>();
    arguments.add(out.toString());
    arguments.add(metastore.uri());
    arguments.add(metastore.warehouse());
    arguments.addAll(List.of(statements));
    ChildJvm child =
        ChildJvm.of(SparkSqlJvm.class, dir.resolve(name), dir.resolve(name + ".log"))
            .withTestLogging()
            .withJvmOptions("-Xmx1g")
            .withArguments(arguments);
    ChildJvm.Exit exit = child.run(TIMEOUT);
    if (exit.code() != 0) {
      throw new AssertionError(
          "SQL on the metastore failed (exit " + exit.code() + "):\n" + exit.output());
    }
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < statements.length; i++) {
      rows.add(new ArrayList<>());
    }
    try {
      for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        rows.get(Integer.parseInt(line.substring(0, tab))).add(line.substring(tab + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows.stream().map(list -> list.stream().sorted().toList()).toList();
  }

  /**
   * {@code OUT_FILE METASTORE_URI WAREHOUSE STATEMENT...}: runs the statements and writes each row
   * of statement {@code i} to {@code OUT_FILE} as a line {@code i<TAB>row}.
   */
  public static void main(String[] args) throws IOException {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("metastore client")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.databricks.delta.snapshotPartitions", "2")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.hadoop.hive.metastore.uris", args[1])
            .config("spark.sql.warehouse.dir", args[2])
            .enableHiveSupport()
            .getOrCreate();
    List<String> lines = new ArrayList<>();
    try {
      List<String> statements = Arrays.asList(args).subList(3, args.length);
      for (int i = 0; i < statements.size(); i++) {
        for (Row row : spark.sql(statements.get(i)).collectAsList()) {
          lines.add(i + "\t" + row);
        }
      }
    } finally {
      spark.stop();
    }
    Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
  }
}
