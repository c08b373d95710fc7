package io.dsmigrate.launcher.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Builds a legacy warehouse of N datasets in varied shapes (Hive tables on Parquet, a partitioned
 * Hive table, an empty table, plain Parquet directories; decimals, dates, timestamps, strings,
 * nulls, binary, arrays, maps, structs) and writes the specs that migrate them: renames, casts,
 * drops, added columns, a SQL transform, a SQL script, a repartitioning, in-place and to-new-name
 * migrations.
 */
public final class DemoWarehouse {
  /** The databases the demo's specs write their targets to (the sources are in {@code legacy}). */
  public static final java.util.List<String> TARGET_DATABASES =
      java.util.List.of("sales", "analytics", "crm", "finance", "archive", "web", "metrics");

  private static final int SHAPES = 8;

  private final SparkSession spark;
  private final Path workdir;
  private final Path specs;
  private final String database;

  /** A warehouse whose tables are in the database {@code legacy}. */
  public DemoWarehouse(SparkSession spark, Path workdir) {
    this(spark, workdir, "legacy");
  }

  /** A warehouse whose tables are in {@code database}. */
  public DemoWarehouse(SparkSession spark, Path workdir, String database) {
    this.spark = requireNonNull(spark, "spark is null");
    this.workdir = requireNonNull(workdir, "workdir is null");
    this.specs = workdir.resolve("specs");
    this.database = requireNonNull(database, "database is null");
  }

  /** Creates {@code count} legacy datasets and their specs; returns the specs directory. */
  public Path create(int count) {
    return create(0, count);
  }

  /**
   * Creates the datasets numbered {@code first} to {@code first + count - 1} (their shapes go by
   * number, so any 8 in a row hold every shape) and their specs; returns the specs directory.
   */
  public Path create(int first, int count) {
    spark.conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    spark.sql("CREATE DATABASE IF NOT EXISTS " + database);
    Map<String, List<String>> specsByFile = new LinkedHashMap<>();
    for (int i = first; i < first + count; i++) {
      int rows = 20 + (i * 37) % 180;
      String spec =
          switch (i % SHAPES) {
            case 0 -> orders(i, rows);
            case 1 -> events(i, rows);
            case 2 -> customers(i, rows);
            case 3 -> payments(i, rows);
            case 4 -> inventoryInPlace(i, rows);
            case 5 -> archiveEmpty(i);
            case 6 -> clicksDirectory(i, rows);
            default -> metrics(i, rows);
          };
      String file =
          new String[] {
                "sales", "analytics", "crm", "finance", "inventory", "archive", "web", "metrics"
              }
              [i % SHAPES];
      specsByFile.computeIfAbsent(file, f -> new ArrayList<>()).add(spec);
    }
    try {
      Files.createDirectories(specs);
      for (Map.Entry<String, List<String>> entry : specsByFile.entrySet()) {
        String text =
            "# Written by 'dsmigrate demo': specs for the "
                + entry.getKey()
                + " datasets.\ndatasets:\n"
                + String.join("", entry.getValue());
        Files.writeString(specs.resolve(entry.getKey() + ".yaml"), text, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return specs;
  }

  private Dataset<Row> range(int rows) {
    return spark.range(rows).toDF("n");
  }

  private String orders(int i, int rows) {
    String table = database + ".orders_" + i;
    range(rows)
        .selectExpr(
            "n AS id",
            "CAST(n % 17 AS INT) AS cust_id",
            "CAST(n * 3.25 AS DOUBLE) AS amount",
            "date_add(DATE'2024-01-01', CAST(n % 90 AS INT)) AS order_date",
            "CASE WHEN n % 5 = 0 THEN NULL ELSE concat('note ', n) END AS note")
        .write()
        .format("parquet")
        .saveAsTable(table);
    return """
          - id: sales.orders_%1$d
            source: { table: %2$s }
            target: { table: sales.orders_%1$d }
            transform:
              rename: { cust_id: customer_id }
              cast: { amount: "decimal(18,2)" }
            key: [ id ]
            consumers: [ finance-reporting ]
        """
        .formatted(i, table);
  }

  private String events(int i, int rows) {
    String table = database + ".events_" + i;
    spark.sql(
        "CREATE TABLE "
            + table
            + " (event_id BIGINT, user_name STRING, ts TIMESTAMP, amount DECIMAL(10,3), country STRING)"
            + " PARTITIONED BY (event_date DATE) STORED AS PARQUET");
    range(rows)
        .selectExpr(
            "n AS event_id",
            "CASE WHEN n % 7 = 0 THEN NULL ELSE concat('user_', n % 13) END AS user_name",
            "timestamp_seconds(1704067200 + n * 3600) AS ts",
            "CAST(n / 8.0 AS DECIMAL(10,3)) AS amount",
            "element_at(array('se', 'us', 'de', 'br'), CAST(n % 4 + 1 AS INT)) AS country",
            "date_add(DATE'2024-03-01', CAST(n % 3 AS INT)) AS event_date")
        .write()
        .insertInto(table);
    return """
          - id: analytics.events_%1$d
            source: { table: %2$s }
            target: { table: analytics.events_%1$d, partitionBy: [ country ] }
            consumers: [ growth-dashboards ]
        """
        .formatted(i, table);
  }

  private String customers(int i, int rows) {
    String table = database + ".customers_" + i;
    spark.sql(
        "CREATE TABLE "
            + table
            + " (id INT, name STRING, email STRING, legacy_flag BOOLEAN, created DATE) STORED AS PARQUET");
    range(rows)
        .selectExpr(
            "CAST(n AS INT) AS id",
            "concat('Customer ', n) AS name",
            "CASE WHEN n % 4 = 0 THEN NULL WHEN n % 9 = 0 THEN '' ELSE concat('c', n, '@example.com') END AS email",
            "n % 2 = 0 AS legacy_flag",
            "date_add(DATE'2020-01-01', CAST(n AS INT)) AS created")
        .write()
        .insertInto(table);
    return """
          - id: crm.customers_%1$d
            source: { table: %2$s }
            target: { table: crm.customers_%1$d }
            transform:
              drop: [ legacy_flag ]
              add: { source_system: "'legacy'" }
            key: [ id ]
        """
        .formatted(i, table);
  }

  private String payments(int i, int rows) {
    String table = database + ".payments_" + i;
    range(rows)
        .selectExpr(
            "n AS id",
            "CASE WHEN n % 11 = 0 THEN NULL ELSE CAST(n * 1.5 AS DECIMAL(12,2)) END AS amount",
            "element_at(array('eur', 'usd', 'sek'), CAST(n % 3 + 1 AS INT)) AS currency",
            "timestamp_seconds(1700000000 + n * 86400) AS paid_at")
        .write()
        .format("parquet")
        .saveAsTable(table);
    String query =
        "SELECT id, amount, upper(currency) AS currency, CAST(paid_at AS DATE) AS paid_date FROM source WHERE amount IS NOT NULL";
    if (i % 16 == 11) {
      write("payments_" + i + ".sql", query + "\n");
      return """
            - id: finance.payments_%1$d
              source: { table: %2$s }
              target: { table: finance.payments_%1$d }
              transform: { script: payments_%1$d.sql }
          """
          .formatted(i, table);
    }
    return """
          - id: finance.payments_%1$d
            source: { table: %2$s }
            target: { table: finance.payments_%1$d }
            transform:
              sql: "%3$s"
        """
        .formatted(i, table, query);
  }

  private String inventoryInPlace(int i, int rows) {
    String table = database + ".inventory_" + i;
    spark.sql(
        "CREATE TABLE "
            + table
            + " (sku STRING, qty INT, price DECIMAL(9,2), updated TIMESTAMP) STORED AS PARQUET");
    range(rows)
        .selectExpr(
            "concat('SKU-', lpad(CAST(n AS STRING), 5, '0')) AS sku",
            "CAST(n % 50 AS INT) AS qty",
            "CAST(n + 0.99 AS DECIMAL(9,2)) AS price",
            "CASE WHEN n % 6 = 0 THEN NULL ELSE timestamp_seconds(1710000000 + n * 60) END AS updated")
        .write()
        .insertInto(table);
    return """
          - id: legacy.inventory_%1$d
            source: { table: %2$s }
            target: { table: %2$s }    # in place: same name, now a Delta table
            transform:
              cast: { qty: bigint }
        """
        .formatted(i, table);
  }

  private String archiveEmpty(int i) {
    String table = database + ".archive_" + i;
    range(0)
        .selectExpr(
            "n AS id", "CAST(NULL AS STRING) AS payload", "CAST(NULL AS DATE) AS archived_on")
        .write()
        .format("parquet")
        .saveAsTable(table);
    return """
          - id: archive.archive_%1$d
            source: { table: %2$s }
            target: { table: archive.archive_%1$d }
        """
        .formatted(i, table);
  }

  private String clicksDirectory(int i, int rows) {
    String path = workdir.resolve("legacy-files").resolve("clicks_" + i).toUri().toString();
    range(rows)
        .selectExpr(
            "n AS click_id",
            "concat('/page/', n % 10) AS url",
            "timestamp_seconds(1720000000 + n) AS clicked_at",
            "CASE WHEN n % 3 = 0 THEN NULL ELSE CAST(n % 100 AS SMALLINT) END AS position")
        .repartition(3)
        .write()
        .parquet(path);
    return """
          - id: web.clicks_%1$d
            source: { path: "%2$s", format: parquet }
            target: { table: web.clicks_%1$d }
            transform:
              rename: { url: page_url }
        """
        .formatted(i, path);
  }

  private String metrics(int i, int rows) {
    String table = database + ".metrics_" + i;
    range(rows)
        .selectExpr(
            "CAST(n % 100 AS TINYINT) AS bucket",
            "CAST(n AS SMALLINT) AS seq",
            "CASE WHEN n % 10 = 0 THEN CAST('NaN' AS FLOAT) ELSE CAST(n / 3.0 AS FLOAT) END AS ratio",
            "CAST(n * -0.5 AS DOUBLE) AS delta",
            "n % 3 = 0 AS flagged",
            "CAST(concat('b', n) AS BINARY) AS raw",
            "array(CAST(n AS INT), CAST(n + 1 AS INT)) AS samples",
            "map('min', CAST(n AS INT), 'max', CAST(n * 2 AS INT)) AS bounds",
            "named_struct('host', concat('h', n % 4), 'port', CAST(8000 + n % 3 AS INT)) AS origin")
        .write()
        .format("parquet")
        .saveAsTable(table);
    return """
          - id: metrics.metrics_%1$d
            source: { table: %2$s }
            target: { table: metrics.metrics_%1$d }
            transform:
              cast: { seq: int }
        """
        .formatted(i, table);
  }

  private void write(String name, String text) {
    try {
      Files.createDirectories(specs);
      Files.writeString(specs.resolve(name), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
