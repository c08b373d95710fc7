package io.dsmigrate.job.notify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.DatasetSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One thing to tell a dataset's owner and consumers, as the webhook receives it (see {@link
 * #body}). Its {@code key} names the event, not the attempt: the same event (a dataset starting in
 * a run, a run's outcome of a dataset, a plan scheduling a dataset, a backup about to be dropped)
 * always has the same key, so dsmigrate sends it once and a receiver can drop a repeat.
 *
 * @param key what the notice is about, e.g. {@code SUCCEEDED/run-1/sales.orders}
 * @param runId the run, or null (a scheduling notice)
 * @param planId the plan, or null when not known
 * @param owner the dataset's owner ({@code owner:} in its spec), or null
 * @param consumers the teams its spec names as consumers
 * @param source the source as its spec names it
 * @param target the target as its spec names it
 * @param backupTable the backup of a cut-over table, or null
 * @param scheduledFor when a scheduled migration is to start, or null when not said
 * @param result the dataset's results row, for outcomes (SUCCEEDED, FAILED, CUT_OVER, ROLLED_BACK,
 *     BACKUP_DROPPING); null otherwise
 * @param reportLink the dataset's section of the report, or null when no report URL is set
 */
public record Notice(
    String key,
    Event event,
    String runId,
    String planId,
    String datasetId,
    String owner,
    List<String> consumers,
    String source,
    String target,
    String backupTable,
    Instant scheduledFor,
    DatasetResult result,
    String reportLink,
    Instant createdAt) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Notice {
    requireNonNull(key, "key is null");
    requireNonNull(event, "event is null");
    requireNonNull(datasetId, "datasetId is null");
    requireNonNull(createdAt, "createdAt is null");
    consumers = consumers == null ? List.of() : List.copyOf(consumers);
  }

  /** A dataset of plan {@code planId} is to be migrated, at {@code at} if not null. */
  public static Notice scheduled(String planId, DatasetSpec spec, Instant at, String reportLink) {
    requireNonNull(planId, "planId is null");
    return ofSpec(Event.SCHEDULED, planId, null, planId, spec, at, reportLink);
  }

  /** Run {@code runId} took the dataset and migrates it now. */
  public static Notice starting(String runId, String planId, DatasetSpec spec, String reportLink) {
    requireNonNull(runId, "runId is null");
    return ofSpec(Event.STARTING, runId, runId, planId, spec, null, reportLink);
  }

  /** A notice of a dataset as its spec names it, before there is a row: keyed by {@code scope}. */
  private static Notice ofSpec(
      Event event,
      String scope,
      String runId,
      String planId,
      DatasetSpec spec,
      Instant at,
      String reportLink) {
    return new Notice(
        event + "/" + scope + "/" + spec.id(),
        event,
        runId,
        planId,
        spec.id(),
        spec.owner(),
        spec.consumers(),
        spec.source().describe(),
        spec.target().describe(),
        null,
        at,
        null,
        reportLink,
        Instant.now());
  }

  /**
   * What a run's row says of a dataset: {@code event} is SUCCEEDED, FAILED, CUT_OVER or ROLLED_BACK
   * ({@link #outcomes} picks them for a row).
   */
  public static Notice outcome(
      Event event, DatasetResult result, DatasetSpec spec, String reportLink) {
    requireNonNull(result, "result is null");
    return new Notice(
        event + "/" + result.runId() + "/" + result.datasetId(),
        event,
        result.runId(),
        result.planId(),
        result.datasetId(),
        spec != null ? spec.owner() : result.owner(),
        spec != null ? spec.consumers() : result.consumers(),
        spec != null ? spec.source().describe() : result.source(),
        spec != null ? spec.target().describe() : result.target(),
        result.backupTable(),
        null,
        result,
        reportLink,
        Instant.now());
  }

  /**
   * The notices a run's row of a dataset gives: SUCCEEDED (and CUT_OVER when it cut the table
   * over), FAILED, or ROLLED_BACK; none for a dataset the run did not migrate (skipped, paused, not
   * started, a dry run).
   */
  public static List<Notice> outcomes(DatasetResult result, DatasetSpec spec, String reportLink) {
    if (result.status() == Status.SUCCEEDED) {
      return result.backupTable() == null
          ? List.of(outcome(Event.SUCCEEDED, result, spec, reportLink))
          : List.of(
              outcome(Event.SUCCEEDED, result, spec, reportLink),
              outcome(Event.CUT_OVER, result, spec, reportLink));
    }
    if (result.status() == Status.FAILED) {
      return List.of(outcome(Event.FAILED, result, spec, reportLink));
    }
    if (result.status() == Status.ROLLED_BACK) {
      return List.of(outcome(Event.ROLLED_BACK, result, spec, reportLink));
    }
    return List.of();
  }

  /** The backup that run {@code result.runId()} kept at cut-over is about to be dropped. */
  public static Notice backupDropping(DatasetResult result, String reportLink) {
    requireNonNull(result.backupTable(), "backupTable is null");
    return new Notice(
        Event.BACKUP_DROPPING
            + "/"
            + result.runId()
            + "/"
            + result.datasetId()
            + "/"
            + result.backupTable(),
        Event.BACKUP_DROPPING,
        result.runId(),
        result.planId(),
        result.datasetId(),
        result.owner(),
        result.consumers(),
        result.source(),
        result.target(),
        result.backupTable(),
        null,
        result,
        reportLink,
        Instant.now());
  }

  /** The key as a UUID: the {@code Idempotency-Key} header and {@code event_id} of the body. */
  public String eventId() {
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** One line for people: what happened to which dataset. */
  public String summary() {
    StringBuilder text = new StringBuilder(datasetId).append(' ').append(event.says());
    switch (event) {
      case SCHEDULED ->
          text.append(" (plan ")
              .append(planId)
              .append(scheduledFor != null ? ", from " + scheduledFor : "")
              .append(')');
      case CUT_OVER ->
          text.append(": ")
              .append(result.source())
              .append(" reads ")
              .append(result.targetLocation())
              .append("; the old table is ")
              .append(backupTable);
      case BACKUP_DROPPING -> text.append(": ").append(backupTable);
      case FAILED ->
          text.append(": ").append(result.errorClass()).append(": ").append(result.errorMessage());
      default -> {}
    }
    return text.toString();
  }

  /**
   * The JSON the webhook receives: the event, its key and id, the dataset, its owner and consumers,
   * a summary, and for outcomes the results row (its columns as the results table has them) and the
   * link to the report.
   */
  public String body() {
    ObjectNode body = JSON.createObjectNode();
    body.put("event_id", eventId());
    body.put("event_key", key);
    body.put("event", event.name());
    body.put("summary", summary());
    body.put("dataset_id", datasetId);
    body.put("owner", owner);
    consumers.forEach(body.putArray("consumers")::add);
    body.put("source", source);
    body.put("target", target);
    body.put("run_id", runId);
    body.put("plan_id", planId);
    if (backupTable != null) {
      body.put("backup_table", backupTable);
    }
    if (scheduledFor != null) {
      body.put("scheduled_for", scheduledFor.toString());
    }
    body.put("report_url", reportLink);
    body.put("created_at", createdAt.toString());
    try {
      if (result != null) {
        body.set("result", JSON.readTree(ResultsTable.json(result)));
      }
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the notice " + key + " as JSON", e);
    }
  }
}
