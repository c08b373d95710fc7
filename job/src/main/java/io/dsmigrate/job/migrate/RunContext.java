package io.dsmigrate.job.migrate;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.cutover.BackupName;
import java.nio.file.Path;

/**
 * What every dataset of a run shares: the run id, the plan and partition it comes from, where
 * snapshots go, whether this is a dry run, where results and diff samples go, the validation
 * defaults, and how the backups of tables that are cut over are named.
 */
public record RunContext(
    String runId,
    String planId,
    int partition,
    Path snapshotRoot,
    boolean dryRun,
    String resultsDatabase,
    int samples,
    int queryFloatDigits,
    BackupName backupName) {
  public RunContext {
    requireNonNull(runId, "runId is null");
    requireNonNull(snapshotRoot, "snapshotRoot is null");
    requireNonNull(resultsDatabase, "resultsDatabase is null");
    requireNonNull(backupName, "backupName is null");
  }
}
