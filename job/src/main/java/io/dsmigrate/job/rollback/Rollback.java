package io.dsmigrate.job.rollback;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.cutover.DroppedBackupsTable;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what a run did: for every dataset it migrated (or one), gives a table that was cut over
 * its old data back (from its backup), restores the source from its snapshot and the metastore
 * entries as they were, and removes the targets the run created; then records the dataset
 * ROLLED_BACK in the results table. Datasets are undone newest first. A dataset whose backup was
 * dropped ({@code dsmigrate drop-backups}) cannot be rolled back, and says so.
 */
public final class Rollback {
  private static final Logger LOG = LoggerFactory.getLogger(Rollback.class);

  private final SparkSession spark;
  private final Settings settings;
  private String runId;
  private String datasetId;

  private Rollback(SparkSession spark, Settings settings) {
    this.spark = requireNonNull(spark, "spark is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  public static Rollback of(SparkSession spark, Settings settings) {
    return new Rollback(spark, settings);
  }

  public Rollback run(String value) {
    this.runId = value;
    return this;
  }

  /** Only this dataset of the run. */
  public Rollback dataset(String value) {
    this.datasetId = value;
    return this;
  }

  /** One line per dataset looked at. */
  public record Outcome(String datasetId, boolean rolledBack, String message) {}

  public List<Outcome> execute() {
    requireNonNull(runId, "runId is null");
    ResultsTable results = ResultsTable.in(spark, settings.resultsDatabase());
    // A rerun with the same run id records SKIPPED rows; the outcome before them is what to undo.
    Map<String, DatasetResult> latest = results.latestOutcomesOfRun(runId);
    if (latest.isEmpty()) {
      throw new IllegalArgumentException(
          "There is no run "
              + runId
              + " in "
              + results.name()
              + "; 'dsmigrate status' lists the last run");
    }
    if (datasetId != null && !latest.containsKey(datasetId)) {
      throw new IllegalArgumentException(
          "Run "
              + runId
              + " has no dataset "
              + datasetId
              + "; it has "
              + String.join(", ", latest.keySet()));
    }
    List<DatasetResult> candidates = new ArrayList<>(latest.values());
    candidates.removeIf(r -> datasetId != null && !r.datasetId().equals(datasetId));
    candidates.sort(
        Comparator.comparing(
                DatasetResult::finishedAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .reversed());
    List<Outcome> outcomes = new ArrayList<>();
    List<DatasetResult> rolledBack = new ArrayList<>();
    for (DatasetResult result : candidates) {
      if (result.status() != Status.SUCCEEDED) {
        outcomes.add(
            new Outcome(result.datasetId(), false, "nothing to undo: it is " + result.status()));
        continue;
      }
      String backupDropped = backupDropped(result);
      if (backupDropped != null) {
        LOG.warn("{}: not rolled back: {}", result.datasetId(), backupDropped);
        outcomes.add(new Outcome(result.datasetId(), false, "rollback failed: " + backupDropped));
        continue;
      }
      Timestamp started = new Timestamp(System.currentTimeMillis());
      spark
          .sparkContext()
          .setJobGroup(
              "dsmigrate/" + runId + "/" + result.datasetId() + "/rollback",
              result.datasetId() + ": rollback",
              true);
      try {
        Undo.dataset(spark, result);
        rolledBack.add(
            result.withOutcome(
                Status.ROLLED_BACK,
                null,
                "rolled back on request: "
                    + (result.backupTable() != null
                        ? result.source()
                            + " is the old table again (from "
                            + result.backupTable()
                            + "), "
                        : "source and metastore restored, ")
                    + "target of the run removed",
                started,
                new Timestamp(System.currentTimeMillis())));
        outcomes.add(new Outcome(result.datasetId(), true, "rolled back"));
      } catch (Exception e) {
        LOG.error("{}: rollback failed", result.datasetId(), e);
        outcomes.add(
            new Outcome(
                result.datasetId(),
                false,
                "rollback failed: "
                    + e.getMessage()
                    + (result.snapshot() != null
                        ? "; snapshot kept at " + result.snapshot()
                        : "")));
      } finally {
        spark.sparkContext().clearJobGroup();
      }
    }
    results.append(rolledBack);
    return outcomes;
  }

  /** Why a dataset cannot be rolled back because its backup was dropped, or null. */
  private String backupDropped(DatasetResult result) {
    if (result.backupTable() == null) {
      return null;
    }
    DroppedBackupsTable.DroppedBackup dropped =
        DroppedBackupsTable.in(spark, settings.resultsDatabase())
            .find(result.runId(), result.datasetId(), result.backupTable());
    if (dropped == null) {
      return null;
    }
    return "its backup "
        + result.backupTable()
        + " (the old "
        + result.source()
        + ") was dropped on "
        + dropped.droppedAt()
        + " by dsmigrate drop-backups, so it cannot be rolled back: the old data is gone. "
        + result.source()
        + " keeps reading the new data at "
        + result.targetLocation()
        + "; nothing was changed";
  }
}
