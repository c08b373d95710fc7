package io.dsmigrate.job.notify;

/** What a notice tells the owner and consumers of a dataset. */
public enum Event {
  /** The dataset is in a plan that is going to run ({@code dsmigrate notify --plan}). */
  SCHEDULED("is scheduled to be migrated"),
  /** A run took the dataset and is migrating it now. */
  STARTING("is being migrated now"),
  /** The dataset was migrated and validated. */
  SUCCEEDED("was migrated and validated"),
  /** The dataset's migration failed; its changes were undone. */
  FAILED("could not be migrated; its changes were undone"),
  /** The source table's name now reads the migrated data. */
  CUT_OVER("was cut over: its table now reads the new data"),
  /** A migration the dataset's wave made was rolled back: its table reads the old data again. */
  ROLLED_BACK("was rolled back: its table reads the old data again"),
  /** The backup a cut-over kept of the old table is about to be dropped. */
  BACKUP_DROPPING("will lose its backup: the old table kept at cut-over is being dropped");

  private final String says;

  Event(String says) {
    this.says = says;
  }

  /** What the event says about a dataset, after its id. */
  String says() {
    return says;
  }
}
