package io.dsmigrate.job.notify;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import io.dsmigrate.job.results.OwnTables;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The notices dsmigrate sent or tried to send, {@code <database>.notifications}: one row per
 * delivery (appended; a notice retried by a later run has a row per try). A notice whose key has a
 * row with {@code sent_at} set is never sent again.
 */
public final class NotificationsTable {
  /** The columns, in order. */
  public static final String COLUMNS =
      "event_key STRING NOT NULL, event_id STRING, event STRING NOT NULL, run_id STRING,"
          + " plan_id STRING, dataset_id STRING NOT NULL, owner STRING, sent_at TIMESTAMP,"
          + " attempts INT, http_status INT, error STRING, recorded_at TIMESTAMP";

  private static final StructType SCHEMA = StructType.fromDDL(COLUMNS);

  private final SparkSession spark;
  private final String name;

  private NotificationsTable(SparkSession spark, String name) {
    this.spark = requireNonNull(spark, "spark is null");
    this.name = name;
  }

  /** The table in {@code database}, created (with the database) when missing. */
  public static NotificationsTable in(SparkSession spark, String database) {
    NotificationsTable table = new NotificationsTable(spark, database + ".notifications");
    OwnTables.createIfMissing(
        spark, table.name, COLUMNS, "dsmigrate: notices sent to owners and consumers");
    return table;
  }

  public String name() {
    return name;
  }

  /** Of {@code keys}, those of notices that were sent. */
  public Set<String> sent(Collection<String> keys) {
    if (keys.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        spark
            .table(name)
            .where(col("sent_at").isNotNull().and(col("event_key").isin(keys.toArray())))
            .select("event_key")
            .distinct()
            .as(Encoders.STRING())
            .collectAsList());
  }

  /** Appends the deliveries in one Delta commit. */
  public void append(List<Delivery> deliveries) {
    if (deliveries.isEmpty()) {
      return;
    }
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> rows = new ArrayList<>();
    for (Delivery delivery : deliveries) {
      Notice notice = delivery.notice();
      rows.add(
          RowFactory.create(
              notice.key(),
              notice.eventId(),
              notice.event().name(),
              notice.runId(),
              notice.planId(),
              notice.datasetId(),
              notice.owner(),
              delivery.sentAt(),
              delivery.attempts(),
              delivery.httpStatus(),
              delivery.error(),
              now));
    }
    spark.createDataFrame(rows, SCHEMA).write().format("delta").mode("append").saveAsTable(name);
  }
}
