package io.dsmigrate.job.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dsmigrate.job.JobRunner;
import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.cutover.DropBackups;
import io.dsmigrate.job.fleet.FleetReport;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Owners and consumers hear of their datasets through a real webhook on 127.0.0.1: what each notice
 * says, that each event is sent once, that a backup's owner hears before it is dropped, and that a
 * webhook that is down changes no dataset's outcome.
 */
class NotificationsTest extends JobTestBase {
  private static final String REPORT = "https://reports.example.com/migration/report.html";

  private Settings notifying(String database, String webhook) {
    List<String> values =
        new java.util.ArrayList<>(
            List.of(
                "dsmigrate.notify.webhook.url",
                webhook,
                "dsmigrate.notify.webhook.retries",
                "1",
                "dsmigrate.notify.webhook.backoff",
                "10ms",
                "dsmigrate.report.url",
                REPORT,
                "dsmigrate.cutover.backup-name",
                "{table}__bak_{run}"));
    return settings(database, values.toArray(String[]::new));
  }

  private FleetReport runPlan(Settings settings, Plan plan, String runId) {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return JobRunner.run(spark(), settings, plan, JobRunner.Options.of(runId), out);
  }

  @Test
  void ownersHearOfStartsOutcomesCutOversAndBackupDropsOnceEach() {
    spark().sql("CREATE DATABASE IF NOT EXISTS nt_legacy");
    spark().sql("CREATE TABLE nt_legacy.orders (id INT, name STRING) STORED AS PARQUET");
    spark().sql("INSERT INTO nt_legacy.orders VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')");
    List<DatasetSpec> specs =
        specs(
            "owned.yaml",
            """
            datasets:
              - id: orders
                owner: team-sales
                consumers: [ bi-team, finance@example.com ]
                source: { table: nt_legacy.orders }
                target: { table: nt_new.orders }
                cutover: true
              - id: gone
                owner: team-legacy
                source: { table: nt_legacy.nope }
                target: { table: nt_new.gone }
            """);
    Plan plan = Planner.of(spark()).plan(specs);
    try (Receiver receiver = Receiver.accepting()) {
      Settings settings = notifying("nt_results", receiver.url());
      FleetReport report = runPlan(settings, plan, "run-nt-1");
      assertThat(result(report, "orders").status()).isEqualTo(Status.SUCCEEDED);
      assertThat(result(report, "gone").status()).isEqualTo(Status.FAILED);

      assertThat(receiver.countsByKey())
          .as("one notice per event, each once")
          .isEqualTo(
              Map.of(
                  "STARTING/run-nt-1/orders", 1,
                  "SUCCEEDED/run-nt-1/orders", 1,
                  "CUT_OVER/run-nt-1/orders", 1,
                  "STARTING/run-nt-1/gone", 1,
                  "FAILED/run-nt-1/gone", 1));
      assertThat(receiver.received())
          .allSatisfy(
              r -> {
                assertThat(r.idempotencyKey()).isEqualTo(r.body().get("event_id").asText());
                assertThat(r.contentType()).isEqualTo("application/json");
              });

      JsonNode succeeded = receiver.body("SUCCEEDED/run-nt-1/orders");
      assertThat(succeeded.get("event").asText()).isEqualTo("SUCCEEDED");
      assertThat(succeeded.get("dataset_id").asText()).isEqualTo("orders");
      assertThat(succeeded.get("owner").asText()).isEqualTo("team-sales");
      assertThat(succeeded.get("consumers").toString())
          .isEqualTo("[\"bi-team\",\"finance@example.com\"]");
      assertThat(succeeded.get("source").asText()).isEqualTo("nt_legacy.orders");
      assertThat(succeeded.get("run_id").asText()).isEqualTo("run-nt-1");
      assertThat(succeeded.get("report_url").asText()).isEqualTo(REPORT + "#dataset-orders");
      JsonNode row = succeeded.get("result");
      assertThat(row.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(row.get("dataset_id").asText()).isEqualTo("orders");
      assertThat(row.get("source_rows").asLong()).isEqualTo(3);
      assertThat(row.get("target_rows").asLong()).isEqualTo(3);
      assertThat(row.get("content_match").asBoolean()).isTrue();
      assertThat(row.get("owner").asText()).isEqualTo("team-sales");
      assertThat(row.get("backup_table").asText()).isEqualTo("nt_legacy.orders__bak_run_nt_1");

      JsonNode cutOver = receiver.body("CUT_OVER/run-nt-1/orders");
      assertThat(cutOver.get("backup_table").asText()).isEqualTo("nt_legacy.orders__bak_run_nt_1");
      assertThat(cutOver.get("summary").asText())
          .startsWith(
              "orders was cut over: its table now reads the new data: nt_legacy.orders reads ");

      JsonNode failed = receiver.body("FAILED/run-nt-1/gone");
      assertThat(failed.get("owner").asText()).isEqualTo("team-legacy");
      assertThat(failed.get("result").get("status").asText()).isEqualTo("FAILED");
      assertThat(failed.get("result").get("error_class").asText()).isEqualTo("SOURCE_NOT_FOUND");
      assertThat(failed.get("summary").asText()).contains("SOURCE_NOT_FOUND", "nt_legacy.nope");
      assertThat(receiver.body("STARTING/run-nt-1/gone").has("result")).isFalse();

      assertThat(
              spark()
                  .sql("SELECT owner FROM nt_results.migration_results WHERE dataset_id = 'orders'")
                  .first()
                  .getString(0))
          .as("the results table names the owner")
          .isEqualTo("team-sales");
      List<Row> recorded = spark().table("nt_results.notifications").collectAsList();
      assertThat(recorded).hasSize(5);
      assertThat(recorded)
          .allSatisfy(
              r -> {
                assertThat(r.<Object>getAs("sent_at")).isNotNull();
                assertThat(r.<Integer>getAs("http_status")).isEqualTo(200);
                assertThat(r.<Integer>getAs("attempts")).isEqualTo(1);
              });

      // The same run again: every dataset is skipped, and no event is told twice.
      runPlan(settings, plan, "run-nt-1");
      assertThat(receiver.received()).hasSize(5);

      // The owner hears before the backup is dropped: the backup still exists when told.
      AtomicBoolean backupThereWhenTold = new AtomicBoolean();
      receiver.onReceipt(
          body ->
              backupThereWhenTold.set(
                  spark().catalog().tableExists("nt_legacy.orders__bak_run_nt_1")));
      List<DropBackups.Outcome> dropped;
      try (Notifier notifier = settings.notifier(spark())) {
        dropped =
            DropBackups.of(spark(), "nt_results", settings.ledger())
                .run("run-nt-1")
                .notifier(notifier)
                .execute();
      }
      assertThat(dropped)
          .singleElement()
          .satisfies(
              o -> assertThat(o.action()).as(o.message()).isEqualTo(DropBackups.Action.DROPPED));
      assertThat(spark().catalog().tableExists("nt_legacy.orders__bak_run_nt_1")).isFalse();
      JsonNode dropping =
          receiver.body("BACKUP_DROPPING/run-nt-1/orders/nt_legacy.orders__bak_run_nt_1");
      assertThat(dropping.get("owner").asText()).isEqualTo("team-sales");
      assertThat(dropping.get("backup_table").asText()).isEqualTo("nt_legacy.orders__bak_run_nt_1");
      assertThat(backupThereWhenTold).as("told while the backup was still there").isTrue();

      // A plan's datasets are told they are scheduled once, however often that is asked.
      try (Notifier notifier = settings.notifier(spark())) {
        PlanNotices.Sent first = PlanNotices.send(notifier, plan, Duration.ofDays(2));
        assertThat(first.sentNow()).isEqualTo(2);
        PlanNotices.Sent again = PlanNotices.send(notifier, plan, Duration.ofDays(2));
        assertThat(again.sentNow()).isZero();
        assertThat(again.sentBefore()).isEqualTo(2);
      }
      JsonNode scheduled = receiver.body("SCHEDULED/" + plan.planId() + "/orders");
      assertThat(scheduled.get("owner").asText()).isEqualTo("team-sales");
      assertThat(scheduled.get("plan_id").asText()).isEqualTo(plan.planId());
      assertThat(scheduled.has("scheduled_for")).isTrue();
    }
  }

  @Test
  void aRollbackTellsTheOwnerThatTheOldDataIsBack() {
    spark().range(5).selectExpr("id").write().parquet(path("nt_rb_src"));
    List<DatasetSpec> specs =
        specs(
            "rolled.yaml",
            """
            id: events
            owner: team-events
            consumers: [ growth ]
            source: { path: "%s" }
            target: { path: "%s" }
            """
                .formatted(path("nt_rb_src"), path("nt_rb_target")));
    try (Receiver receiver = Receiver.accepting()) {
      Settings settings = notifying("nt_rb", receiver.url());
      assertThat(
              result(runPlan(settings, Planner.of(spark()).plan(specs), "run-rb"), "events")
                  .status())
          .isEqualTo(Status.SUCCEEDED);
      List<io.dsmigrate.job.rollback.Rollback.Outcome> outcomes;
      try (Notifier notifier = settings.notifier(spark())) {
        outcomes =
            io.dsmigrate.job.rollback.Rollback.of(spark(), "nt_rb", settings.ledger())
                .run("run-rb")
                .notifier(notifier)
                .execute();
      }
      assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.rolledBack()).isTrue());
      JsonNode rolledBack = receiver.body("ROLLED_BACK/run-rb/events");
      assertThat(rolledBack.get("owner").asText()).isEqualTo("team-events");
      assertThat(rolledBack.get("consumers").toString()).isEqualTo("[\"growth\"]");
      assertThat(rolledBack.get("result").get("status").asText()).isEqualTo("ROLLED_BACK");
      assertThat(rolledBack.get("report_url").asText()).isEqualTo(REPORT + "#dataset-events");
      assertThat(receiver.countsByKey()).containsEntry("ROLLED_BACK/run-rb/events", 1);
    }
  }

  @Test
  void aWebhookThatIsDownChangesNoOutcomeAndIsRecordedAsNotSent() {
    spark().range(20).selectExpr("id", "id * 2 AS v").write().parquet(path("nt_dead_src"));
    String yaml =
        """
        datasets:
          - id: fine
            owner: team-a
            source: { path: "%s" }
            target: { path: "%s" }
          - id: missing
            owner: team-b
            source: { table: nt_dead_legacy.nope }
            target: { path: "%s" }
        """;
    List<DatasetSpec> quietSpecs =
        specs(
            "quiet.yaml",
            yaml.formatted(path("nt_dead_src"), path("nt_quiet_fine"), path("nt_quiet_missing")));
    List<DatasetSpec> deadSpecs =
        specs(
            "dead.yaml",
            yaml.formatted(path("nt_dead_src"), path("nt_dead_fine"), path("nt_dead_missing")));

    FleetReport quiet =
        runPlan(settings("nt_quiet"), Planner.of(spark()).plan(quietSpecs), "run-quiet");
    FleetReport dead;
    try (Receiver receiver = Receiver.answering(500)) {
      dead =
          runPlan(
              notifying("nt_dead", receiver.url()),
              Planner.of(spark()).plan(deadSpecs),
              "run-dead");
      assertThat(receiver.countsByKey())
          .as("each notice tried twice (one retry), none taken")
          .isEqualTo(
              Map.of(
                  "STARTING/run-dead/fine", 2,
                  "SUCCEEDED/run-dead/fine", 2,
                  "STARTING/run-dead/missing", 2,
                  "FAILED/run-dead/missing", 2));
    }
    assertThat(dead.exitCode()).isEqualTo(quiet.exitCode());
    for (String id : List.of("fine", "missing")) {
      DatasetResult withWebhook = result(dead, id);
      DatasetResult without = result(quiet, id);
      assertThat(withWebhook.status()).as(id).isEqualTo(without.status());
      assertThat(withWebhook.errorClass()).as(id).isEqualTo(without.errorClass());
      assertThat(withWebhook.targetRows()).as(id).isEqualTo(without.targetRows());
      assertThat(withWebhook.contentMatch()).as(id).isEqualTo(without.contentMatch());
    }
    assertThat(result(dead, "fine").status()).isEqualTo(Status.SUCCEEDED);
    assertThat(spark().catalog().tableExists("nt_quiet.notifications"))
        .as("no webhook: nothing recorded")
        .isFalse();
    List<Row> recorded = spark().table("nt_dead.notifications").collectAsList();
    assertThat(recorded).hasSize(4);
    assertThat(recorded)
        .allSatisfy(
            r -> {
              assertThat(r.<Object>getAs("sent_at")).isNull();
              assertThat(r.<Integer>getAs("attempts")).isEqualTo(2);
              assertThat(r.<Integer>getAs("http_status")).isEqualTo(500);
              assertThat(r.<String>getAs("error")).isEqualTo("HTTP 500: down for maintenance");
            });
  }
}
