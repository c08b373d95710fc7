package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.results.ResultsTable;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * What the parts of one fleet execution share: the run, the ledger, this run's lease owner, the
 * lease keeper and the results recorder.
 *
 * @param rows the rows of the datasets the execution does not migrate, and the run fields of all
 * @param ledger the ledger to write; null in a dry run, which writes nothing, the ledger included
 * @param ledgerRead the ledger as it stands, read to prove what of a target the dataset wrote (dry
 *     runs too)
 * @param notices what the owners and consumers of the datasets are told
 */
record ExecutionContext(
    SparkSession spark,
    FleetSettings settings,
    String runId,
    boolean dryRun,
    FleetRows rows,
    Ledger ledger,
    Ledger ledgerRead,
    LeaseOwner owner,
    HaltPoint halt,
    Heartbeats heartbeats,
    ResultsRecorder recorder,
    FleetNotices notices) {

  ExecutionContext {
    requireNonNull(spark, "spark is null");
    requireNonNull(settings, "settings is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(rows, "rows is null");
    requireNonNull(ledgerRead, "ledgerRead is null");
    requireNonNull(notices, "notices is null");
  }

  /** Opens the ledger and the results recorder of an execution of run {@code runId}. */
  static ExecutionContext open(
      SparkSession spark,
      FleetSettings settings,
      FleetRows rows,
      boolean dryRun,
      ResultsTable results,
      ScheduledExecutorService leaseKeeper,
      FleetNotices notices) {
    LedgerSettings leases = settings.ledger();
    Configuration hadoop = spark.sessionState().newHadoopConf();
    Ledger ledgerRead = Ledger.open(leases.directory(), settings.resultsDatabase(), hadoop);
    Heartbeats heartbeats = new Heartbeats(leaseKeeper, leases.heartbeat());
    HaltPoint halt = leases.haltPoint();
    return new ExecutionContext(
        spark,
        settings,
        rows.runId(),
        dryRun,
        rows,
        dryRun ? null : ledgerRead,
        ledgerRead,
        LeaseOwner.current(rows.runId()),
        halt,
        heartbeats,
        new ResultsRecorder(
            spark, results, settings.resultsBatch(), settings.resultsInterval(), heartbeats, halt),
        notices);
  }

  LedgerSettings leases() {
    return settings.ledger();
  }

  /** What of its targets a dataset's attempts wrote, from its ledger (plus an attempt's tag). */
  Ownership ownership(SparkSession session, String datasetId, String tag) {
    return Ownership.of(session, ledgerRead.history(datasetId), entry -> true, tag);
  }

  /** The Spark job group of a dataset's work in this run. */
  String jobGroup(String datasetId) {
    return "dsmigrate/" + runId + "/" + datasetId;
  }
}
