package io.dsmigrate.job.fleet;

import io.dsmigrate.job.cutover.BackupName;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.plan.AgentLimits;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.security.SecuritySettings;
import java.time.Duration;

/**
 * What a {@link Fleet} reads of dsmigrate's configuration, and nothing more: its own settings
 * ({@code dsmigrate.fleet.*}, {@code dsmigrate.agent.*}), where the results and the ledger are, and
 * what each dataset's migration is given. dsmigrate's settings, read once at start-up, implement
 * it; the fleet never sees the rest of them (the Spark session's settings, the plan's).
 */
public interface FleetSettings {
  /** The database of the results table ({@code dsmigrate.results.database}). */
  String resultsDatabase();

  /** Where the ledger is and how leases are held ({@code dsmigrate.ledger.*}). */
  LedgerSettings ledger();

  /** Datasets migrated at once ({@code dsmigrate.fleet.concurrency}). */
  int concurrency();

  /** Attempts after the first for a failure that may pass ({@code dsmigrate.fleet.retries}). */
  int retries();

  /**
   * The wait before the first retry, doubled for each next one ({@code
   * dsmigrate.fleet.retry-backoff}).
   */
  Duration retryBackoff();

  /** How long one dataset may take ({@code dsmigrate.fleet.dataset-timeout}). */
  Duration datasetTimeout();

  /** Results rows written at once ({@code dsmigrate.fleet.results-batch}). */
  int resultsBatch();

  /**
   * The longest a finished dataset's results row waits for its batch to fill before it is committed
   * anyway ({@code dsmigrate.fleet.results-interval}).
   */
  Duration resultsInterval();

  /** When a wave has failed too much to go on ({@code dsmigrate.fleet.error-threshold.*}). */
  ErrorThreshold errorThreshold();

  /** Which datasets may take the agent path ({@code dsmigrate.agent.*}). */
  AgentLimits agent();

  /** Datasets per agent task ({@code dsmigrate.agent.chunk}). */
  int agentChunk();

  /** Where the snapshots of sources replaced in place go ({@code dsmigrate.snapshots.dir}). */
  String snapshotsDir();

  /** Differing rows kept as samples per dataset ({@code dsmigrate.validation.samples}). */
  int validationSamples();

  /**
   * Digits compared of floating-point results of consumer queries ({@code
   * dsmigrate.validation.query-float-digits}).
   */
  int queryFloatDigits();

  /** What specs may do ({@code dsmigrate.security.*}). */
  SecuritySettings security();

  /** dsmigrate's own state, which specs may neither read nor write. */
  ReservedLocations reservedLocations();

  /**
   * How the backups of tables that are cut over are named ({@code dsmigrate.cutover.backup-name}).
   */
  BackupName backupName();
}
