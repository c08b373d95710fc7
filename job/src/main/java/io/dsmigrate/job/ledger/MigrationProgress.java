package io.dsmigrate.job.ledger;

import io.dsmigrate.job.plan.SourceInfo;

/**
 * What a migration attempt has found and changed so far: enough for another process to undo it, or
 * to validate a target that it wrote, after the process that ran it is gone.
 *
 * @param source the source as found before anything changed (null before it was resolved)
 * @param target the target: a table name or a path
 * @param snapshot where the source can be restored from ({@code copy:<dir>} or {@code
 *     delta:<location>@v<n>}), or null
 * @param targetLocation where the target's files are (or will be)
 * @param targetPreviousVersion the Delta version of a target that the attempt overwrites, or null
 *     when the attempt creates the target
 * @param inPlace whether the target replaces the source
 * @param backupTable the name the source table is (being) kept under by a cut-over, or null when
 *     the attempt has not started cutting over
 * @param targetCreated whether the attempt found nothing at the target's location (no table, no
 *     files) before it wrote there: files there without any commit are then its own to remove
 */
public record MigrationProgress(
    SourceInfo source,
    String target,
    String snapshot,
    String targetLocation,
    Long targetPreviousVersion,
    boolean inPlace,
    String backupTable,
    boolean targetCreated) {

  /** This progress as it stands once a cut-over it began is undone. */
  public MigrationProgress withoutCutOver() {
    return new MigrationProgress(
        source,
        target,
        snapshot,
        targetLocation,
        targetPreviousVersion,
        inPlace,
        null,
        targetCreated);
  }
}
