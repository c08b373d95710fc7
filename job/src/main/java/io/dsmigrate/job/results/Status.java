package io.dsmigrate.job.results;

/** How a dataset's run ended. */
public enum Status {
  /** Migrated and validated. */
  SUCCEEDED,
  /** Not migrated; the error class and message say why. Anything it changed was undone. */
  FAILED,
  /**
   * Not migrated by this run: already migrated with the same spec, or held by another run that is
   * migrating it (the message says which); nothing was written.
   */
  SKIPPED,
  /** Undone by a rollback: source and metastore as before the run, target removed. */
  ROLLED_BACK,
  /** A dry run found nothing that stops it; nothing was written. */
  DRY_RUN,
  /** Not started: the run was paused. Running it again with the same run id migrates it. */
  PAUSED,
  /**
   * Not started, and not to be until what held it is fixed: the pilot wave failed, or the error
   * threshold stopped the dataset's wave (the message says which). Running the plan again migrates
   * it once that passes.
   */
  NOT_STARTED
}
