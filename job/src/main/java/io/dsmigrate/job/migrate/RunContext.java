package io.dsmigrate.job.migrate;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What every dataset of a run shares: the run id, the plan and partition it comes from, where
 * snapshots go, and whether this is a dry run.
 */
public record RunContext(
    String runId, String planId, int partition, Path snapshotRoot, boolean dryRun) {
  public RunContext {
    requireNonNull(runId, "runId is null");
    requireNonNull(snapshotRoot, "snapshotRoot is null");
  }
}
