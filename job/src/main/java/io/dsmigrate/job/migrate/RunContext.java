package io.dsmigrate.job.migrate;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.cutover.BackupName;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.security.SecuritySettings;

/**
 * What a dataset's migration shares with its run: the run id, the plan, partition and wave it comes
 * from, where snapshots go, whether this is a dry run, where results and diff samples go, the
 * validation defaults, what specs may do and dsmigrate's own state they may not touch (checked
 * again as each dataset runs), and how the backups of tables that are cut over are named.
 */
public record RunContext(
    String runId,
    String planId,
    int partition,
    int wave,
    String snapshotRoot,
    boolean dryRun,
    String resultsDatabase,
    int samples,
    int queryFloatDigits,
    SecuritySettings security,
    ReservedLocations reserved,
    BackupName backupName) {
  public RunContext {
    requireNonNull(runId, "runId is null");
    requireNonNull(snapshotRoot, "snapshotRoot is null");
    requireNonNull(resultsDatabase, "resultsDatabase is null");
    requireNonNull(security, "security is null");
    requireNonNull(reserved, "reserved is null");
    requireNonNull(backupName, "backupName is null");
  }
}
