package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.TableMetadata;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A target keeps its source's comment, column comments, user properties and owner, and records
 * where it comes from, on the Spark path, on the agent path and under the name a cut-over
 * recreates; the spec's own comment, properties and column comments win over the source's.
 */
class MetadataTravelsTest extends JobTestBase {
  private static final String OWNER = "finance_team";

  /** What a consumer sees of a table besides its rows, in a session of its own. */
  private record Described(
      String comment, String owner, Map<String, String> columns, Map<String, String> properties) {}

  /** Column names and comments, in order: name, comment, name, comment, ... */
  private static Map<String, String> columns(String... namesAndComments) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (int i = 0; i < namesAndComments.length; i += 2) {
      columns.put(namesAndComments[i], namesAndComments[i + 1]);
    }
    return columns;
  }

  private static Described describe(String table) {
    SparkSession consumer = spark().newSession();
    Map<String, String> columns = new LinkedHashMap<>();
    String comment = null;
    String owner = null;
    boolean detail = false;
    for (Row row : consumer.sql("DESCRIBE TABLE EXTENDED " + table).collectAsList()) {
      String name = row.getString(0);
      if (name == null || name.isBlank() || name.startsWith("#")) {
        detail = true;
        continue;
      }
      if (!detail) {
        columns.put(name, row.isNullAt(2) ? null : row.getString(2));
      } else if (name.equals("Comment")) {
        comment = row.getString(1);
      } else if (name.equals("Owner")) {
        owner = row.getString(1);
      }
    }
    Map<String, String> properties = new TreeMap<>();
    for (Row row : consumer.sql("SHOW TBLPROPERTIES " + table).collectAsList()) {
      properties.put(row.getString(0), row.getString(1));
    }
    return new Described(comment, owner, columns, properties);
  }

  /** A Hive table on Parquet with a comment, column comments, properties and an owner. */
  private static void legacyTable(String table) {
    String database = table.substring(0, table.indexOf('.'));
    spark().sql("CREATE DATABASE IF NOT EXISTS " + database);
    spark()
        .sql(
            "CREATE TABLE "
                + table
                + " (id INT COMMENT 'order number', cust_id INT COMMENT 'who ordered',"
                + " amount DOUBLE COMMENT 'in euros', note STRING)"
                + " COMMENT 'orders taken by the web shop' STORED AS PARQUET"
                + " TBLPROPERTIES ('team' = 'finance', 'quality' = 'gold')");
    spark().sql("INSERT INTO " + table + " VALUES (1, 7, 9.5, 'a'), (2, 8, 1.25, NULL)");
    var catalog = spark().sessionState().catalog();
    catalog.alterTable(TableMetadata.ownedBy(SourceResolver.catalogTable(spark(), table), OWNER));
  }

  private FleetReport migrate(Settings settings, List<DatasetSpec> specs, String runId) {
    Plan plan = Planner.of(spark()).agentLimits(settings.agent()).plan(specs);
    return Fleet.of(spark(), settings).runId(runId).plan(plan.planId(), 0).execute(plan.datasets());
  }

  /**
   * Migrates on the Spark path alone ({@code "spark"}), or with the agents on ({@code "agent"}).
   */
  private FleetReport migrateOn(
      String path, String results, List<DatasetSpec> specs, String runId) {
    return migrate(
        settings(results, "dsmigrate.agent.enabled", String.valueOf(path.equals("agent"))),
        specs,
        runId);
  }

  private static void assertSucceeded(DatasetResult result) {
    assertThat(result.status()).as(result.errorMessage()).isEqualTo(Status.SUCCEEDED);
  }

  @Test
  void aHiveTablesMetadataTravelsTheSameOnTheSparkPathAndTheAgentPath() {
    legacyTable("mt_legacy.orders");
    Described source = describe("mt_legacy.orders");
    assertThat(source.properties()).containsKey("transient_lastDdlTime");
    String spec =
        """
        id: %s
        source: { table: mt_legacy.orders }
        target: { table: %s }
        transform:
          rename: { cust_id: customer_id }
          cast: { amount: "decimal(10,2)" }
          add: { migrated: "true" }
        """;

    FleetReport bySpark =
        migrateOn(
            "spark",
            "mt_results",
            specs("spark.yaml", spec.formatted("mt_spark", "mt_new.spark_orders")),
            "run-mt-spark");
    assertSucceeded(result(bySpark, "mt_spark"));
    assertThat(bySpark.byAgents()).isZero();
    FleetReport byAgents =
        migrateOn(
            "agent",
            "mt_results",
            specs("agent.yaml", spec.formatted("mt_agent", "mt_new.agent_orders")),
            "run-mt-agent");
    assertSucceeded(result(byAgents, "mt_agent"));
    assertThat(byAgents.byAgents()).as("datasets the agents migrated").isEqualTo(1);

    Described spark = describe("mt_new.spark_orders");
    Described agent = describe("mt_new.agent_orders");
    for (Described target : List.of(spark, agent)) {
      assertThat(target.comment()).isEqualTo(source.comment()).isNotNull();
      assertThat(target.owner()).isEqualTo(source.owner()).isEqualTo(OWNER);
      assertThat(target.columns())
          .isEqualTo(
              columns(
                  "id",
                  "order number",
                  "customer_id",
                  "who ordered",
                  "amount",
                  "in euros",
                  "note",
                  null,
                  "migrated",
                  null));
      assertThat(target.properties())
          .containsEntry("team", "finance")
          .containsEntry("quality", "gold")
          .containsEntry(TableMetadata.SOURCE, "mt_legacy.orders")
          .doesNotContainKey("transient_lastDdlTime");
    }
    assertThat(spark.properties())
        .containsEntry(TableMetadata.DATASET, "mt_spark")
        .containsEntry(TableMetadata.RUN, "run-mt-spark");
    assertThat(agent.properties())
        .containsEntry(TableMetadata.DATASET, "mt_agent")
        .containsEntry(TableMetadata.RUN, "run-mt-agent");
    // Field for field the same, but for the dataset and the run.
    Map<String, String> sparkProperties = new TreeMap<>(spark.properties());
    Map<String, String> agentProperties = new TreeMap<>(agent.properties());
    for (Map<String, String> properties : List.of(sparkProperties, agentProperties)) {
      properties.remove(TableMetadata.DATASET);
      properties.remove(TableMetadata.RUN);
    }
    assertThat(agentProperties).isEqualTo(sparkProperties);
    assertThat(spark().table("mt_new.agent_orders").schema())
        .isEqualTo(spark().table("mt_new.spark_orders").schema());
    assertThat(
            spark()
                .sql("DESCRIBE DETAIL mt_new.agent_orders")
                .selectExpr("description", "CAST(properties AS STRING)")
                .first()
                .getString(0))
        .isEqualTo("orders taken by the web shop");
  }

  @Test
  void theNameACutOverRecreatesHasTheSourcesMetadata() {
    legacyTable("mt_cut.orders");
    Described before = describe("mt_cut.orders");
    DatasetResult cutOver =
        result(
            migrate(
                settings("mt_cut_results"),
                specs(
                    "cutover.yaml",
                    """
                    id: mt_cut
                    source: { table: mt_cut.orders }
                    target: { table: mt_cut_new.orders }
                    transform: { cast: { amount: "decimal(10,2)" } }
                    cutover: true
                    """),
                "run-mt-cut"),
            "mt_cut");
    assertSucceeded(cutOver);
    assertThat(cutOver.backupTable()).isNotNull();

    Described recreated = describe("mt_cut.orders");
    assertThat(recreated.comment()).isEqualTo(before.comment());
    assertThat(recreated.owner()).isEqualTo(OWNER);
    assertThat(recreated.columns()).isEqualTo(before.columns());
    assertThat(recreated.properties())
        .containsEntry("team", "finance")
        .containsEntry("quality", "gold")
        .containsEntry(TableMetadata.SOURCE, "mt_cut.orders")
        .containsEntry(TableMetadata.DATASET, "mt_cut")
        .containsEntry(TableMetadata.RUN, "run-mt-cut");
    assertThat(describe("mt_cut_new.orders").owner()).isEqualTo(OWNER);
    // The backup is the old table, as it was.
    Described backup = describe(cutOver.backupTable());
    assertThat(backup.comment()).isEqualTo(before.comment());
    assertThat(backup.owner()).isEqualTo(OWNER);
    assertThat(backup.columns()).isEqualTo(before.columns());
  }

  @Test
  void theSpecsCommentPropertiesAndColumnCommentsWinOnBothPaths() {
    legacyTable("mt_spec.orders");
    String spec =
        """
        id: %s
        source: { table: mt_spec.orders }
        target:
          table: %s
          comment: "orders, migrated"
          properties: { quality: platinum, retention: "30" }
          column-comments: { customer_id: "the customer", amount: "" , note: "free text" }
        transform:
          rename: { cust_id: customer_id }
        """;
    for (String path : List.of("spark", "agent")) {
      String table = "mt_spec_new." + path + "_orders";
      FleetReport report =
          migrateOn(
              path,
              "mt_spec_results",
              specs(path + ".yaml", spec.formatted("mt_spec_" + path, table)),
              "run-mt-spec-" + path);
      assertSucceeded(result(report, "mt_spec_" + path));
      assertThat(report.byAgents()).as(path).isEqualTo(path.equals("agent") ? 1 : 0);
      Described target = describe(table);
      assertThat(target.comment()).as(path).isEqualTo("orders, migrated");
      assertThat(target.owner()).as(path).isEqualTo(OWNER);
      assertThat(target.columns())
          .as(path)
          .isEqualTo(
              columns(
                  "id",
                  "order number",
                  "customer_id",
                  "the customer",
                  "amount",
                  null,
                  "note",
                  "free text"));
      assertThat(target.properties())
          .as(path)
          .containsEntry("team", "finance")
          .containsEntry("quality", "platinum")
          .containsEntry("retention", "30");
    }
  }

  @Test
  void aColumnCommentForAColumnTheTargetLacksFailsTheDatasetWithTheLineToFix() {
    legacyTable("mt_bad.orders");
    for (String path : List.of("spark", "agent")) {
      List<DatasetSpec> specs =
          specs(
              "bad-" + path + ".yaml",
              """
              id: mt_bad_%s
              source: { table: mt_bad.orders }
              target:
                table: mt_bad_new.%s_orders
                column-comments:
                  amount: "in euros"
                  amuont: "typo"
              """
                  .formatted(path, path));
      DatasetResult failed =
          result(migrateOn(path, "mt_bad_results", specs, "run-mt-bad-" + path), "mt_bad_" + path);
      assertThat(failed.status()).as(path).isEqualTo(Status.FAILED);
      assertThat(failed.errorClass()).isEqualTo(ErrorClass.COLUMN_NOT_FOUND.name());
      assertThat(failed.errorMessage())
          .startsWith(
              "Cannot migrate mt_bad_"
                  + path
                  + ": target.column-comments names column 'amuont', which the target does not"
                  + " have (its columns: id, cust_id, amount, note)")
          .endsWith(specs.get(0).at("target.column-comments.amuont"));
      assertThat(specs.get(0).at("target.column-comments.amuont")).endsWith(":7");
      assertThat(spark().catalog().tableExists("mt_bad_new." + path + "_orders")).isFalse();
    }
  }

  @Test
  void aParquetDirectoryGivesOnlyWhatTheSpecAndDsmigrateSet() {
    spark().range(3).selectExpr("id", "CAST(id AS STRING) AS name").write().parquet(path("mt-dir"));
    DatasetResult migrated =
        result(
            migrate(
                settings("mt_dir_results"),
                specs(
                    "dir.yaml",
                    """
                    id: mt_dir
                    source: { path: "%s" }
                    target: { table: mt_dir_new.names, properties: { team: web } }
                    """
                        .formatted(path("mt-dir"))),
                "run-mt-dir"),
            "mt_dir");
    assertSucceeded(migrated);
    Described target = describe("mt_dir_new.names");
    assertThat(target.comment()).isNull();
    assertThat(target.columns()).isEqualTo(columns("id", null, "name", null));
    assertThat(target.properties())
        .containsEntry("team", "web")
        .containsEntry(TableMetadata.SOURCE, path("mt-dir"))
        .containsEntry(TableMetadata.DATASET, "mt_dir")
        .containsEntry(TableMetadata.RUN, "run-mt-dir");
  }

  @Test
  void aDeltaSourcesDescriptionAndSettingsTravelButNotItsProtocol() {
    spark().sql("CREATE DATABASE IF NOT EXISTS mt_delta");
    spark()
        .sql(
            "CREATE TABLE mt_delta.events (id BIGINT COMMENT 'event id', kind STRING) USING delta"
                + " COMMENT 'clicks and views' TBLPROPERTIES ('team' = 'web',"
                + " 'delta.logRetentionDuration' = 'interval 60 days',"
                + " 'delta.minWriterVersion' = '4')");
    spark().sql("INSERT INTO mt_delta.events VALUES (1, 'click'), (2, 'view')");
    DatasetResult migrated =
        result(
            migrate(
                settings("mt_delta_results"),
                specs(
                    "delta.yaml",
                    """
                    id: mt_delta
                    source: { table: mt_delta.events }
                    target: { path: "%s" }
                    """
                        .formatted(path("mt-events"))),
                "run-mt-delta"),
            "mt_delta");
    assertSucceeded(migrated);
    Row detail =
        spark()
            .sql("DESCRIBE DETAIL delta.`" + path("mt-events") + "`")
            .selectExpr("description", "properties", "minWriterVersion")
            .first();
    assertThat(detail.getString(0)).isEqualTo("clicks and views");
    assertThat(detail.<String, String>getJavaMap(1))
        .containsEntry("team", "web")
        .containsEntry("delta.logRetentionDuration", "interval 60 days")
        .containsEntry(TableMetadata.SOURCE, "mt_delta.events")
        .doesNotContainKeys("delta.minWriterVersion", "delta.minReaderVersion");
    assertThat(detail.getInt(2)).isEqualTo(2);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(path("mt-events"))
                .schema()
                .apply("id")
                .getComment()
                .get())
        .isEqualTo("event id");
  }

  @Test
  void aTableConvertedInPlaceKeepsItsMetadataAndGetsItBackWhole() {
    legacyTable("mt_conv.orders");
    Described before = describe("mt_conv.orders");
    TableState definition = state("mt_conv.orders");
    Settings settings = settings("mt_conv_results");
    DatasetResult converted =
        result(
            migrate(
                settings,
                specs(
                    "convert.yaml",
                    """
                    id: mt_conv
                    source: { table: mt_conv.orders }
                    target:
                      table: mt_conv.orders
                      column-comments: { note: "free text" }
                    """),
                "run-mt-conv"),
            "mt_conv");
    assertSucceeded(converted);
    assertThat(converted.snapshot()).startsWith("convert:");
    Described after = describe("mt_conv.orders");
    assertThat(after.comment()).isEqualTo(before.comment());
    assertThat(after.owner()).isEqualTo(OWNER);
    assertThat(after.columns())
        .isEqualTo(
            columns(
                "id",
                "order number",
                "cust_id",
                "who ordered",
                "amount",
                "in euros",
                "note",
                "free text"));
    assertThat(after.properties())
        .containsEntry("team", "finance")
        .containsEntry(TableMetadata.SOURCE, "mt_conv.orders")
        .containsEntry(TableMetadata.RUN, "run-mt-conv");

    List<io.dsmigrate.job.rollback.Rollback.Outcome> outcomes =
        io.dsmigrate.job.rollback.Rollback.of(
                spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-mt-conv")
            .execute();
    assertThat(outcomes)
        .singleElement()
        .satisfies(o -> assertThat(o.rolledBack()).as(o.message()).isTrue());
    assertThat(state("mt_conv.orders")).isEqualTo(definition);
    // Hive stamps the time of the last DDL on the table; that stamp is not its metadata.
    Described restored = describe("mt_conv.orders");
    assertThat(restored.properties().keySet()).isEqualTo(before.properties().keySet());
    assertThat(new Described(restored.comment(), restored.owner(), restored.columns(), Map.of()))
        .isEqualTo(new Described(before.comment(), before.owner(), before.columns(), Map.of()));
    restored
        .properties()
        .forEach(
            (key, value) -> {
              if (!key.startsWith("transient_")) {
                assertThat(value).as(key).isEqualTo(before.properties().get(key));
              }
            });
  }
}
