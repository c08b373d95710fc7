package io.dsmigrate.job.results;

/** How a dataset's run ended. */
public enum Status {
  /** Migrated and validated. */
  SUCCEEDED,
  /** Not migrated; the error class and message say why. Anything it changed was undone. */
  FAILED,
  /** Already migrated by an earlier run with the same spec; nothing was written. */
  SKIPPED,
  /** Undone by a rollback: source and metastore as before the run, target removed. */
  ROLLED_BACK,
  /** A dry run found nothing that stops it; nothing was written. */
  DRY_RUN
}
