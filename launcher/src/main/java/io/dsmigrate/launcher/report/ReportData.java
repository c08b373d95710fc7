package io.dsmigrate.launcher.report;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.cutover.DroppedBackupsTable.DroppedBackup;
import io.dsmigrate.job.results.DatasetResult;
import java.util.List;

/**
 * What a report shows: the latest outcome of every dataset of one run with the diff samples and the
 * dropped backups of that run, and the entries of one assessment. A report of a run only has an
 * empty {@code inventory} when no assessment was recorded; a report of an assessment only has no
 * {@code runId} and no datasets.
 *
 * @param runId the run (null: an assessment only)
 * @param resultsTable the results table's name, for the SQL the report suggests
 * @param datasets the latest outcome of each dataset of the run
 * @param samples the run's diff samples, a few per dataset and kind
 * @param droppedBackups the backups of the run's cut-overs that were dropped since
 * @param assessmentId the assessment shown (null: none recorded)
 * @param inventory that assessment's entries
 */
public record ReportData(
    String runId,
    String resultsTable,
    List<DatasetResult> datasets,
    List<DiffSample> samples,
    List<DroppedBackup> droppedBackups,
    String assessmentId,
    List<InventoryEntry> inventory) {
  public ReportData {
    requireNonNull(resultsTable, "resultsTable is null");
    datasets = List.copyOf(datasets);
    samples = List.copyOf(samples);
    droppedBackups = List.copyOf(droppedBackups);
    inventory = List.copyOf(inventory);
  }
}
