package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.launcher.demo.DemoWarehouse;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@code assess} on a demo warehouse with tables it cannot migrate faithfully: the inventory holds
 * every table and view with what a person needs to decide, the unfaithful ones are flagged with
 * why, an edited draft is kept, and the drafted specs plan and run as they are.
 */
class AssessCommandTest extends SparkTestBase {
  private static final String DB = "assess_legacy";
  private static final String RESULTS = "-Ddsmigrate.results.database=assess_results";

  private Outcome dsmigrate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--workdir");
    all.add(2, temp.resolve("work").toString());
    all.add(RESULTS);
    return Cli.dsmigrate(all.toArray(String[]::new));
  }

  @Test
  void assessWritesTheInventoryFlagsUnfaithfulTablesAndItsDraftsPlanAndRunUnchanged()
      throws Exception {
    // orders_0, events_1 (partitioned), customers_2, payments_3, inventory_4, archive_5 (empty)
    new DemoWarehouse(spark(), temp.resolve("demo"), DB).create(0, 6);
    spark().sql("COMMENT ON TABLE " + DB + ".orders_0 IS 'Orders of the web shop'");
    spark()
        .sql(
            "CREATE TABLE "
                + DB
                + ".bucketed (id INT, v STRING) CLUSTERED BY (id) INTO 4 BUCKETS STORED AS PARQUET");
    spark()
        .sql(
            "CREATE TABLE "
                + DB
                + ".acid (id INT, v STRING) CLUSTERED BY (id) INTO 2 BUCKETS STORED AS ORC"
                + " TBLPROPERTIES ('transactional' = 'true')");
    spark().sql("USE " + DB); // the view names its table without its database
    try {
      spark().sql("CREATE VIEW recent_orders AS SELECT * FROM orders_0 WHERE id > 5");
    } finally {
      spark().sql("USE default");
    }
    spark()
        .sql(
            "CREATE VIEW "
                + DB
                + ".big_orders AS SELECT * FROM "
                + DB
                + ".recent_orders WHERE amount > 10");
    spark()
        .sql(
            "CREATE TABLE "
                + DB
                + ".scattered (id INT, v STRING) PARTITIONED BY (dt STRING) STORED AS PARQUET");
    spark().sql("INSERT INTO " + DB + ".scattered PARTITION (dt = 'a') VALUES (1, 'x')");
    String elsewhere = temp.resolve("elsewhere").resolve("dt=b").toUri().toString();
    spark().range(3).selectExpr("CAST(id AS INT) AS id", "'y' AS v").write().parquet(elsewhere);
    spark()
        .sql(
            "ALTER TABLE "
                + DB
                + ".scattered ADD PARTITION (dt = 'b') LOCATION '"
                + elsewhere
                + "'");
    spark().sql("CREATE TABLE " + DB + ".notes (id INT, note STRING) USING csv");
    spark().sql("INSERT INTO " + DB + ".notes VALUES (1, 'n')");
    Path out = temp.resolve("assessed");
    // A spec the team wrote (or edited) where assess would draft one: kept as it is.
    Path edited = out.resolve(DB).resolve("customers_2.yaml");
    Files.createDirectories(edited.getParent());
    String team =
        "id: crm.customers_2\nsource: { table: "
            + DB
            + ".customers_2 }\ntarget: { table: assess_new.customers_2 }\n"
            + "validation: { key: [ id ] }\n";
    Files.writeString(edited, team);
    // A file of the team's at the place a needs-review draft of a migratable table would be: a
    // draft there is removed when the table moves, this file is not a draft and stays.
    Path reviewNotes = out.resolve("needs-review").resolve(DB).resolve("orders_0.yaml.review");
    Files.createDirectories(reviewNotes.getParent());
    String notes = "# reviewed by team-sales: keep the cast of amount\n";
    Files.writeString(reviewNotes, notes);

    Path page = temp.resolve("assessment.html");
    Outcome assess =
        dsmigrate(
            "assess", "--databases", DB, "--out", out.toString(), "--report", page.toString());
    assertThat(assess.code()).as(assess.out() + assess.err()).isZero();
    assertThat(Files.readString(reviewNotes)).isEqualTo(notes);
    // The assessment's page: its section of the report, each flagged table with its issue.
    assertThat(Files.readString(page))
        .contains("Assessment")
        .contains(DB + ".bucketed", DB + ".acid", DB + ".scattered", DB + ".notes")
        .contains("copy it without buckets");
    assertThat(assess.out())
        .contains("10 tables and 2 views in " + DB)
        .contains("6 migratable as drafted")
        .contains("Kept " + edited + ": it was edited since it was drafted");
    assertThat(Files.readString(edited)).isEqualTo(team);

    Map<String, Row> inventory = new TreeMap<>();
    for (Row row : spark().table("assess_results.inventory").collectAsList()) {
      inventory.put(row.<String>getAs("table"), row);
    }
    assertThat(inventory).hasSize(12);
    Row orders = inventory.get("orders_0");
    assertThat(orders.<String>getAs("kind")).isEqualTo("MANAGED");
    assertThat(orders.<String>getAs("format")).isEqualTo("parquet");
    assertThat(orders.<Long>getAs("size_bytes")).isPositive();
    assertThat(orders.<Long>getAs("files")).isPositive();
    assertThat(orders.<String>getAs("owner")).isNotBlank();
    assertThat(orders.<String>getAs("comment")).isEqualTo("Orders of the web shop");
    assertThat(orders.getList(orders.fieldIndex("dependent_views")))
        .containsExactly(DB + ".big_orders", DB + ".recent_orders");
    assertThat(orders.<Boolean>getAs("migratable")).isTrue();
    Path ordersSpec = out.resolve(DB).resolve("orders_0.yaml");
    assertThat(orders.<String>getAs("spec_file")).isEqualTo(ordersSpec.toString());
    assertThat(Files.readString(ordersSpec))
        .contains("owner: \"" + orders.<String>getAs("owner") + "\"")
        .contains("description: \"Orders of the web shop\"")
        .contains("source: { table: " + DB + ".orders_0 }")
        .contains("target: { table: " + DB + ".orders_0 }");
    Row events = inventory.get("events_1");
    assertThat(events.getList(events.fieldIndex("partition_columns")))
        .containsExactly("event_date");
    assertThat(events.<Long>getAs("partitions")).isEqualTo(3);
    assertThat(events.<Long>getAs("partitions_outside")).isZero();
    assertThat(events.<Boolean>getAs("migratable")).isTrue();
    assertThat(inventory.get("recent_orders").<String>getAs("kind")).isEqualTo("VIEW");
    assertThat(
            inventory
                .get("recent_orders")
                .getList(inventory.get("recent_orders").fieldIndex("dependent_views")))
        .containsExactly(DB + ".big_orders");
    Row scattered = inventory.get("scattered");
    assertThat(scattered.<Long>getAs("partitions")).isEqualTo(2);
    assertThat(scattered.<Long>getAs("partitions_outside")).isEqualTo(1);
    assertThat(scattered.<Long>getAs("size_bytes"))
        .as("the partition outside counts")
        .isGreaterThan(sizeOf(temp.resolve("elsewhere")));

    Map<String, String> flagged = new TreeMap<>();
    inventory.forEach(
        (table, row) -> {
          if (!row.<Boolean>getAs("migratable")) {
            flagged.put(table, String.join(" | ", row.<String>getList(row.fieldIndex("issues"))));
          }
        });
    assertThat(flagged)
        .containsOnlyKeys("acid", "big_orders", "bucketed", "notes", "recent_orders", "scattered");
    assertThat(flagged.get("bucketed"))
        .startsWith("bucketed: " + DB + ".bucketed is a bucketed Hive table (4 buckets")
        .contains("Spark does not write Hive's bucketing")
        .contains("copy it without buckets");
    assertThat(flagged.get("acid"))
        .startsWith("transactional: " + DB + ".acid is a transactional (ACID) Hive table")
        .contains("deleted or updated rows would come back");
    assertThat(flagged.get("recent_orders")).startsWith("view: " + DB + ".recent_orders is a view");
    assertThat(flagged.get("scattered"))
        .startsWith(
            "partitions outside the table directory: 1 of 2 partitions of " + DB + ".scattered")
        .contains("dt=b at file:" + temp.resolve("elsewhere").resolve("dt=b"));
    assertThat(flagged.get("notes"))
        .startsWith("format: " + DB + ".notes is stored as csv, which a migration in place cannot");
    for (String table : List.of("acid", "bucketed", "notes", "scattered")) {
      Path review = out.resolve("needs-review").resolve(DB).resolve(table + ".yaml.review");
      assertThat(inventory.get(table).<String>getAs("spec_file")).isEqualTo(review.toString());
      assertThat(Files.readString(review))
          .contains("# NEEDS REVIEW")
          .contains("source: { table: " + DB + "." + table + " }");
    }
    try (Stream<Path> files = Files.walk(out)) {
      assertThat(
              files
                  .filter(f -> f.toString().endsWith(".yaml"))
                  .map(f -> f.getFileName().toString())
                  .sorted())
          .containsExactly(
              "archive_5.yaml",
              "customers_2.yaml",
              "events_1.yaml",
              "inventory_4.yaml",
              "orders_0.yaml",
              "payments_3.yaml");
    }

    // What editors and the Backstage template check a spec against says the same of the drafts.
    try (Stream<Path> files = Files.walk(out)) {
      for (Path draft : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        assertThat(SpecSchemaTest.schemaErrors(draft)).as(draft.toString()).isEmpty();
      }
    }

    Outcome plan = dsmigrate("plan", "--specs", out.toString(), "--pilot", "0");
    assertThat(plan.code()).as(plan.out() + plan.err()).isZero();
    assertThat(plan.out()).contains("6 datasets in 1 waves");
    Outcome run =
        dsmigrate("run", "--specs", out.toString(), "--pilot", "0", "--run-id", "assessed");
    assertThat(run.code()).as(run.out() + run.err()).isZero();
    Map<String, String> statuses = new TreeMap<>();
    for (Row row :
        spark()
            .sql(
                "SELECT dataset_id, status FROM assess_results.migration_results WHERE run_id = 'assessed'")
            .collectAsList()) {
      statuses.put(row.getString(0), row.getString(1));
    }
    assertThat(statuses)
        .hasSize(6)
        .allSatisfy((id, status) -> assertThat(status).as(id).isEqualTo("SUCCEEDED"));
    assertThat(spark().sql("DESCRIBE DETAIL " + DB + ".events_1").first().<String>getAs("format"))
        .isEqualTo("delta");
  }

  private static long sizeOf(Path directory) throws Exception {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
