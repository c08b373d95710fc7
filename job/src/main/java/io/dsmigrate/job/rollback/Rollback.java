package io.dsmigrate.job.rollback;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.cutover.DroppedBackupsTable;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.notify.Event;
import io.dsmigrate.job.notify.Notice;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what a run did: for every dataset it migrated (or one), gives a table that was cut over
 * its old data back (from its backup), restores the source from its snapshot and the metastore
 * entries as they were, and removes the targets the run created; then records the dataset
 * ROLLED_BACK in the ledger and the results table. Datasets are undone newest first.
 *
 * <p>What the run did is taken from the dataset's ledger, and each dataset is undone under its
 * lease, like a run migrates it. A rollback is refused, changing nothing, when it would destroy
 * what others wrote: commits to the target (or the table cut over to it) that the run did not make
 * ({@link Undo.Refused}), or a newer run that migrated the dataset again; {@link #force} undoes it
 * all the same. A dataset whose backup was dropped ({@code dsmigrate drop-backups}) cannot be
 * rolled back, and says so.
 */
public final class Rollback {
  private static final Logger LOG = LoggerFactory.getLogger(Rollback.class);

  private final SparkSession spark;
  private final String resultsDatabase;
  private final LedgerSettings ledgerSettings;
  private String runId;
  private String datasetId;
  private boolean force;
  private Notifier notifier = Notifier.NONE;

  private Rollback(SparkSession spark, String resultsDatabase, LedgerSettings ledgerSettings) {
    this.spark = requireNonNull(spark, "spark is null");
    this.resultsDatabase = requireNonNull(resultsDatabase, "resultsDatabase is null");
    this.ledgerSettings = requireNonNull(ledgerSettings, "ledgerSettings is null");
  }

  /**
   * Rolls back runs that the results table and the ledger of these settings record.
   *
   * @param resultsDatabase the database of the results table ({@code dsmigrate.results.database})
   * @param ledgerSettings where the ledger is and how leases are held ({@code dsmigrate.ledger.*})
   */
  public static Rollback of(
      SparkSession spark, String resultsDatabase, LedgerSettings ledgerSettings) {
    return new Rollback(spark, resultsDatabase, ledgerSettings);
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

  /** Undo even over commits that others (or a newer run) made after the run's (off by default). */
  public Rollback force(boolean value) {
    this.force = value;
    return this;
  }

  /** Where the owners and consumers of the datasets rolled back hear of it (default: nowhere). */
  public Rollback notifier(Notifier value) {
    this.notifier = requireNonNull(value, "notifier is null");
    return this;
  }

  /** One line per dataset looked at. */
  public record Outcome(String datasetId, boolean rolledBack, String message) {}

  public List<Outcome> execute() {
    requireNonNull(runId, "runId is null");
    ResultsTable results = ResultsTable.in(spark, resultsDatabase);
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
    Ledger ledger =
        Ledger.open(
            ledgerSettings.directory(), resultsDatabase, spark.sessionState().newHadoopConf());
    // What the run did, as the ledger holds it (in the order it happened), not as a row says.
    List<Candidate> candidates = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    for (String id : latest.keySet()) {
      if (datasetId != null && !id.equals(datasetId)) {
        continue;
      }
      List<LedgerEntry> history = ledger.history(id);
      LedgerEntry done = null;
      for (LedgerEntry entry : history) {
        if (entry.state().outcome() && entry.owner().runId().equals(runId)) {
          done = entry;
        }
      }
      if (done == null || done.result() == null) {
        outcomes.add(
            new Outcome(
                id,
                false,
                latest.get(id).status() != Status.SUCCEEDED
                    ? "nothing to undo: it is " + latest.get(id).status()
                    : "rollback refused: the ledger at "
                        + ledger.location()
                        + " has no record of run "
                        + runId
                        + " migrating it, so what the run wrote cannot be proven; nothing was"
                        + " changed"));
        continue;
      }
      candidates.add(new Candidate(id, done, history));
    }
    candidates.sort(
        Comparator.comparing(
                (Candidate c) -> c.done().at(), Comparator.nullsLast(Comparator.naturalOrder()))
            .reversed());
    ScheduledExecutorService keeper =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "dsmigrate-rollback-lease");
              thread.setDaemon(true);
              return thread;
            });
    List<DatasetResult> rolledBack = new ArrayList<>();
    try {
      for (Candidate candidate : candidates) {
        Outcome outcome = rollBack(ledger, ledgerSettings, keeper, candidate, results, rolledBack);
        if (!outcome.rolledBack()) {
          LOG.warn("{}: not rolled back: {}", outcome.datasetId(), outcome.message());
        }
        outcomes.add(outcome);
      }
    } finally {
      keeper.shutdownNow();
    }
    return outcomes;
  }

  /** A dataset of the run and what the ledger says of it. */
  private record Candidate(String id, LedgerEntry done, List<LedgerEntry> history) {}

  private Outcome rollBack(
      Ledger ledger,
      LedgerSettings leases,
      ScheduledExecutorService keeper,
      Candidate candidate,
      ResultsTable results,
      List<DatasetResult> rolledBack) {
    String id = candidate.id();
    DatasetResult result = candidate.done().result();
    if (result.status() != Status.SUCCEEDED) {
      return new Outcome(
          id, result.status() != Status.SUCCEEDED, "nothing to undo: it is " + result.status());
    }
    String backupDropped = backupDropped(result);
    if (backupDropped != null) {
      return new Outcome(id, false, "rollback failed: " + backupDropped);
    }
    // A newer run that migrated the dataset again (and was not rolled back since) wrote over
    // this run's target.
    Map<String, LedgerEntry> laterOutcomes = new java.util.LinkedHashMap<>();
    for (LedgerEntry entry : candidate.history()) {
      if (entry.generation() > candidate.done().generation()
          && entry.state().outcome()
          && !entry.owner().runId().equals(runId)) {
        laterOutcomes.put(entry.owner().runId(), entry);
      }
    }
    List<String> newer = new ArrayList<>();
    laterOutcomes.forEach(
        (run, entry) -> {
          if (entry.state() == LedgerState.SUCCEEDED) {
            newer.add("run " + run);
          }
        });
    if (!newer.isEmpty() && !force) {
      return new Outcome(
          id,
          false,
          "rollback refused: "
              + String.join(", ", newer)
              + " migrated it again after run "
              + runId
              + ", so undoing run "
              + runId
              + " would destroy that; nothing was changed. Roll back the newer run first, or"
              + " give --force");
    }
    // Commits of other runs of this dataset are the ledger's business (above); what the target
    // must not hold is a commit that no attempt of the dataset made.
    Ownership ownership = Ownership.of(spark, candidate.history(), entry -> true);
    Undo.Changes changes =
        candidate.done().progress() != null
            ? Undo.Changes.of(id, candidate.done().progress())
            : Undo.Changes.of(result);
    String tag = "dsmigrate " + runId + " " + id + " rollback " + UUID.randomUUID();
    Undo undo = Undo.of(spark, ownership, tag).force(force);
    try {
      undo.check(changes);
    } catch (Undo.Refused refused) {
      return new Outcome(id, false, "rollback refused: " + refused.getMessage());
    }
    LedgerEntry head = ledger.head(id);
    LeaseOwner owner = LeaseOwner.current(runId);
    if (head != null
        && head.heldByLiveOwner(System.currentTimeMillis())
        && !owner.sameAs(head.owner())) {
      return new Outcome(
          id,
          false,
          "rollback refused: "
              + head.owner().describe()
              + " holds it until "
              + java.time.Instant.ofEpochMilli(head.leaseExpiresAt())
              + " (it stands at "
              + head.state()
              + "); nothing was changed. Roll back once that run has finished with it");
    }
    Lease lease =
        ledger.claim(
            head, id, result.specHash(), owner, leases.leaseDuration(), leases.haltPoint());
    if (lease == null) {
      return new Outcome(
          id,
          false,
          "rollback refused: another run took it while the rollback looked at it; nothing was"
              + " changed. Run the rollback again");
    }
    ScheduledFuture<?> renewal =
        keeper.scheduleAtFixedRate(
            lease::renew,
            leases.heartbeat().toMillis(),
            leases.heartbeat().toMillis(),
            TimeUnit.MILLISECONDS);
    Timestamp started = new Timestamp(System.currentTimeMillis());
    spark
        .sparkContext()
        .setJobGroup("dsmigrate/" + runId + "/" + id + "/rollback", id + ": rollback", true);
    try {
      lease.commitTag(tag);
      lease.record(
          LedgerState.UNDOING,
          candidate.done().progress(),
          null,
          "rollback of run " + runId + (force ? " (forced)" : ""));
      try {
        undo.all(changes);
      } catch (Undo.Refused refused) {
        // Someone wrote meanwhile: the dataset stands as it did, and so does its ledger.
        lease.record(
            LedgerState.SUCCEEDED, candidate.done().progress(), result, refused.getMessage());
        lease.release();
        return new Outcome(id, false, "rollback refused: " + refused.getMessage());
      }
      DatasetResult undone =
          result.withOutcome(
              Status.ROLLED_BACK,
              null,
              "rolled back on request"
                  + (force ? " (--force)" : "")
                  + ": "
                  + (result.backupTable() != null
                      ? result.source()
                          + " is the old table again (from "
                          + result.backupTable()
                          + "), "
                      : "source and metastore restored, ")
                  + "target of the run removed",
              started,
              new Timestamp(System.currentTimeMillis()));
      lease.record(LedgerState.ROLLED_BACK, candidate.done().progress(), undone, null);
      results.append(List.of(undone));
      lease.release();
      notifier.queue(Notice.outcome(Event.ROLLED_BACK, undone, null, notifier.reportLink(id)));
      rolledBack.add(undone);
      return new Outcome(id, true, "rolled back");
    } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
      LOG.error("{}: rollback failed", id, e);
      return new Outcome(
          id,
          false,
          "rollback failed: "
              + e.getMessage()
              + (result.snapshot() != null ? "; snapshot kept at " + result.snapshot() : "")
              + ". The ledger keeps it UNDOING: run the rollback again to finish it");
    } finally {
      renewal.cancel(false);
      spark.sparkContext().clearJobGroup();
    }
  }

  /** Why a dataset cannot be rolled back because its backup was dropped, or null. */
  private String backupDropped(DatasetResult result) {
    if (result.backupTable() == null) {
      return null;
    }
    DroppedBackupsTable.DroppedBackup dropped =
        DroppedBackupsTable.in(spark, resultsDatabase)
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
