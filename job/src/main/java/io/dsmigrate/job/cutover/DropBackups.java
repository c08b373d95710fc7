package io.dsmigrate.job.cutover;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.notify.Notice;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.spec.Names;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the backups that cut-overs kept of their source tables, once nothing reads their files.
 * Options are checked first; then every backup asked for is looked up in the results table, what
 * still reads it is found in one pass over the metastore ({@link BackupReaders}), and each backup
 * that nothing reads is dropped ({@code DROP TABLE}: a managed backup's files are deleted) and
 * recorded in {@link DroppedBackupsTable}. A backup that something reads is refused, naming the
 * reader and what to do. A rollback of a dataset whose backup was dropped fails and says why.
 * Before any backup is dropped, its dataset's owner and consumers are told (a BACKUP_DROPPING
 * notice, sent and recorded first; a webhook that fails holds no drop up).
 *
 * <pre>{@code
 * List<DropBackups.Outcome> outcomes =
 *     DropBackups.of(spark, settings.resultsDatabase(), settings.ledger())
 *         .run("nightly-1")
 *         .dryRun(true)
 *         .execute();
 * }</pre>
 */
public final class DropBackups {
  private static final Logger LOG = LoggerFactory.getLogger(DropBackups.class);

  /** The message when neither a run nor a dataset is given. */
  public static final String NOTHING_ASKED =
      "give --run ID and/or --dataset ID: the backups of which cut-overs to drop";

  private final SparkSession spark;
  private final String resultsDatabase;
  private final LedgerSettings ledgerSettings;
  private String runId;
  private String datasetId;
  private boolean dryRun;
  private Notifier notifier = Notifier.NONE;

  private DropBackups(SparkSession spark, String resultsDatabase, LedgerSettings ledgerSettings) {
    this.spark = requireNonNull(spark, "spark is null");
    this.resultsDatabase = requireNonNull(resultsDatabase, "resultsDatabase is null");
    this.ledgerSettings = requireNonNull(ledgerSettings, "ledgerSettings is null");
  }

  /**
   * Drops backups that the results table and the ledger of these settings record.
   *
   * @param resultsDatabase the database of the results table ({@code dsmigrate.results.database})
   * @param ledgerSettings where the ledger is and how leases are held ({@code dsmigrate.ledger.*})
   */
  public static DropBackups of(
      SparkSession spark, String resultsDatabase, LedgerSettings ledgerSettings) {
    return new DropBackups(spark, resultsDatabase, ledgerSettings);
  }

  /** The backups made by this run. */
  public DropBackups run(String value) {
    this.runId = value;
    return this;
  }

  /** The backup of this dataset (of the run, if one is given; else of its latest cut-over). */
  public DropBackups dataset(String value) {
    this.datasetId = value;
    return this;
  }

  /** Find what reads each backup, but drop nothing and record nothing. */
  public DropBackups dryRun(boolean value) {
    this.dryRun = value;
    return this;
  }

  /** Where the owners are told before their backups are dropped. */
  public DropBackups notifier(Notifier value) {
    this.notifier = requireNonNull(value, "notifier is null");
    return this;
  }

  /** What became of one backup. */
  public enum Action {
    /** Dropped, and recorded. */
    DROPPED,
    /** Nothing reads it: a run without {@code dryRun} drops it. */
    DROPPABLE,
    /** Kept: something reads it, or it is gone; the message says what to do. */
    REFUSED
  }

  /**
   * One backup looked at.
   *
   * @param table the table that was cut over
   * @param readers what still reads the backup's files (empty unless refused for that)
   */
  public record Outcome(
      String runId,
      String datasetId,
      String table,
      String backupTable,
      Action action,
      List<String> readers,
      String message) {
    public Outcome {
      requireNonNull(datasetId, "datasetId is null");
      requireNonNull(action, "action is null");
      readers = List.copyOf(readers);
    }
  }

  /**
   * @throws IllegalArgumentException when neither a run nor a dataset is given, or there is no such
   *     run or dataset, or the dataset asked for has no backup to drop
   */
  public List<Outcome> execute() {
    if (runId == null && datasetId == null) {
      throw new IllegalArgumentException(NOTHING_ASKED);
    }
    ResultsTable results = ResultsTable.in(spark, resultsDatabase);
    DroppedBackupsTable droppedTable = DroppedBackupsTable.in(spark, resultsDatabase);
    List<DatasetResult> backups = backupsAskedFor(results, droppedTable);
    Ledger ledger =
        Ledger.open(
            ledgerSettings.directory(), resultsDatabase, spark.sessionState().newHadoopConf());
    List<Outcome> outcomes = new ArrayList<>();
    List<BackupReaders.Backup> present = new ArrayList<>();
    Map<String, CatalogTable> definitions = new LinkedHashMap<>();
    for (DatasetResult result : backups) {
      String backup = Names.table(result.backupTable());
      if (!spark.catalog().tableExists(backup)) {
        outcomes.add(
            outcome(
                result,
                Action.REFUSED,
                List.of(),
                "backup "
                    + backup
                    + " does not exist (dropped outside dsmigrate?); nothing was dropped or"
                    + " recorded"));
        continue;
      }
      // A results row naming a backup is not proof: the dataset's ledger must say so, and the
      // table must still be the source it kept.
      String notProven =
          Ownership.of(spark, ledger.history(result.datasetId()), entry -> true)
              .backupRefusal(result.runId(), backup);
      if (notProven != null) {
        outcomes.add(
            outcome(
                result,
                Action.REFUSED,
                List.of(),
                "kept: dsmigrate cannot prove "
                    + backup
                    + " is the backup it made: "
                    + notProven
                    + "; nothing was dropped or recorded. Drop it by hand if it is no longer"
                    + " needed"));
        continue;
      }
      CatalogTable definition = SourceResolver.catalogTable(spark, backup);
      definitions.put(backup, definition);
      String provider =
          definition.provider().isDefined()
              ? definition.provider().get().toLowerCase(Locale.ROOT)
              : "hive";
      present.add(
          new BackupReaders.Backup(backup, definition.location(), provider.equals("delta")));
    }
    if (present.isEmpty()) {
      return outcomes;
    }
    Map<String, List<String>> readers;
    spark
        .sparkContext()
        .setJobGroup(
            "dsmigrate/drop-backups",
            "drop-backups: what reads " + present.size() + " backups",
            true);
    try {
      readers = BackupReaders.find(spark, present, deltaTargets(results));
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    if (!dryRun) {
      Map<String, List<String>> found = readers;
      // Told before anything is dropped: a notice sent (or tried and recorded) first.
      notifier.deliverNow(
          backups.stream()
              .filter(result -> definitions.containsKey(Names.table(result.backupTable())))
              .filter(result -> found.get(Names.table(result.backupTable())).isEmpty())
              .map(result -> Notice.backupDropping(result, notifier.reportLink(result.datasetId())))
              .toList());
    }
    for (DatasetResult result : backups) {
      String backup = Names.table(result.backupTable());
      if (!definitions.containsKey(backup)) {
        continue;
      }
      List<String> reading = readers.get(backup);
      if (!reading.isEmpty()) {
        outcomes.add(
            outcome(
                result,
                Action.REFUSED,
                reading,
                "kept: something still reads its files: " + String.join("; ", reading)));
      } else if (dryRun) {
        outcomes.add(outcome(result, Action.DROPPABLE, List.of(), "nothing reads it: would drop"));
      } else {
        outcomes.add(drop(result, definitions.get(backup), droppedTable));
      }
    }
    return outcomes;
  }

  private Outcome drop(
      DatasetResult result, CatalogTable definition, DroppedBackupsTable droppedTable) {
    String backup = Names.table(result.backupTable());
    boolean managed = definition.tableType() == CatalogTableType.MANAGED();
    String location = definition.location().toString();
    spark.sql("DROP TABLE " + Names.quoted(backup));
    droppedTable.append(
        new DroppedBackupsTable.DroppedBackup(
            result.runId(),
            result.datasetId(),
            result.source(),
            backup,
            location,
            managed,
            new Timestamp(System.currentTimeMillis())));
    LOG.info("{}: dropped backup {} ({})", result.datasetId(), backup, location);
    return outcome(
        result,
        Action.DROPPED,
        List.of(),
        managed
            ? "dropped, with its files"
            : "dropped; its files are kept at "
                + location
                + " (an external table): delete them once nothing else needs them");
  }

  /** The cut-overs asked for whose backups stand (not rolled back, not dropped). */
  private List<DatasetResult> backupsAskedFor(
      ResultsTable results, DroppedBackupsTable droppedTable) {
    Map<String, DatasetResult> latest =
        runId != null ? results.latestOutcomesOfRun(runId) : results.latestByDataset();
    if (runId != null && latest.isEmpty()) {
      throw new IllegalArgumentException(
          "There is no run "
              + runId
              + " in "
              + results.name()
              + "; 'dsmigrate status' lists the last run");
    }
    if (datasetId != null) {
      DatasetResult one = latest.get(datasetId);
      if (one == null) {
        throw new IllegalArgumentException(
            runId != null
                ? "Run "
                    + runId
                    + " has no dataset "
                    + datasetId
                    + "; it has "
                    + String.join(", ", latest.keySet())
                : "There is no dataset " + datasetId + " in " + results.name());
      }
      latest = Map.of(datasetId, one);
    }
    List<DroppedBackupsTable.DroppedBackup> dropped = droppedTable.all();
    List<DatasetResult> standing = new ArrayList<>();
    for (DatasetResult result : latest.values()) {
      DroppedBackupsTable.DroppedBackup drop =
          result.backupTable() == null
              ? null
              : dropped.stream()
                  .filter(
                      d ->
                          d.runId().equals(result.runId())
                              && d.datasetId().equals(result.datasetId())
                              && d.backupTable().equals(result.backupTable()))
                  .findFirst()
                  .orElse(null);
      if (result.status() == Status.SUCCEEDED && result.backupTable() != null && drop == null) {
        standing.add(result);
      } else if (datasetId != null) {
        throw new IllegalArgumentException(
            "Dataset "
                + datasetId
                + " has no backup to drop: "
                + (drop != null
                    ? "its backup " + drop.backupTable() + " was dropped on " + drop.droppedAt()
                    : result.status() != Status.SUCCEEDED
                        ? "its latest outcome"
                            + (runId != null ? " in run " + runId : "")
                            + " is "
                            + result.status()
                        : "run " + result.runId() + " did not cut it over"));
      }
    }
    return standing;
  }

  /** Where the results table says Delta targets were written (some have no table name). */
  private List<String> deltaTargets(ResultsTable results) {
    return spark
        .table(results.name())
        .where("target_location IS NOT NULL AND status = 'SUCCEEDED'")
        .select("target_location")
        .distinct()
        .as(Encoders.STRING())
        .collectAsList();
  }

  private static Outcome outcome(
      DatasetResult result, Action action, List<String> readers, String message) {
    return new Outcome(
        result.runId(),
        result.datasetId(),
        result.source(),
        result.backupTable(),
        action,
        readers,
        message);
  }
}
