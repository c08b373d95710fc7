package io.dsmigrate.job;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.dsmigrate.job.cutover.BackupName;
import io.dsmigrate.job.fleet.ErrorThreshold;
import io.dsmigrate.job.fleet.FleetSettings;
import io.dsmigrate.job.fs.Locations;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.notify.NotifySettings;
import io.dsmigrate.job.plan.AgentLimits;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.security.SecuritySettings;
import java.io.File;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * dsmigrate's configuration, read once at start-up and checked then: defaults from {@code
 * reference.conf}, overridden by a user file and {@code -Dkey=value}. A bad value fails with the
 * file and line it came from.
 *
 * @param agent which datasets the planner may send down the agent path ({@code dsmigrate.agent})
 * @param agentChunk datasets per agent task ({@code dsmigrate.agent.chunk})
 * @param resultsInterval the longest a finished dataset's results row waits for its batch ({@code
 *     dsmigrate.fleet.results-interval})
 * @param progressInterval how often a run shows and publishes its progress ({@code
 *     dsmigrate.progress.interval})
 * @param notifications where notices go ({@code dsmigrate.notify.*}, {@code dsmigrate.report.url})
 */
public record Settings(
    String workdir,
    String resultsDatabase,
    int concurrency,
    int retries,
    Duration retryBackoff,
    Duration datasetTimeout,
    int resultsBatch,
    Duration resultsInterval,
    String snapshotsDir,
    LedgerSettings ledger,
    String sparkMaster,
    boolean hive,
    Map<String, String> sparkConf,
    int validationSamples,
    int queryFloatDigits,
    int pilot,
    int waveSize,
    ErrorThreshold errorThreshold,
    SecuritySettings security,
    BackupName backupName,
    AgentLimits agent,
    int agentChunk,
    Locations locations,
    boolean embeddedMetastore,
    Duration progressInterval,
    NotifySettings notifications)
    implements FleetSettings {

  public Settings {
    requireNonNull(workdir, "workdir is null");
    requireNonNull(security, "security is null");
    requireNonNull(resultsDatabase, "resultsDatabase is null");
    requireNonNull(ledger, "ledger is null");
    requireNonNull(errorThreshold, "errorThreshold is null");
    requireNonNull(backupName, "backupName is null");
    requireNonNull(agent, "agent is null");
    requireNonNull(locations, "locations is null");
    requireNonNull(resultsInterval, "resultsInterval is null");
    requireNonNull(progressInterval, "progressInterval is null");
    requireNonNull(notifications, "notifications is null");
    sparkConf = Map.copyOf(sparkConf);
  }

  /** The defaults, with the system properties on top. */
  public static Settings defaults() {
    return load(null, Map.of());
  }

  /**
   * Loads settings: {@code overrides} (from the command line) win over JVM system properties, which
   * win over {@code file}, which wins over the defaults in {@code reference.conf}.
   */
  public static Settings load(File file, Map<String, String> overrides) {
    Config config =
        ConfigFactory.parseMap(overrides, "command line")
            .withFallback(ConfigFactory.systemProperties());
    if (file != null) {
      if (!file.isFile()) {
        throw new ConfigException.Generic("Config file " + file + " does not exist; fix --conf");
      }
      config =
          config.withFallback(
              ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false)));
    }
    config = config.withFallback(ConfigFactory.defaultReference()).resolve();
    return from(config.getConfig("dsmigrate"));
  }

  private static Settings from(Config config) {
    Map<String, String> sparkConf = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> entry : config.getConfig("spark.conf").entrySet()) {
      sparkConf.put(unquote(entry.getKey()), String.valueOf(entry.getValue().unwrapped()));
    }
    // Paths without a scheme are on the cluster's default file system, as Spark reads them.
    Locations locations = Locations.of(Locations.hadoopConfiguration(sparkConf));
    Locations.use(locations);
    String workdir = locations.qualify(config.getString("workdir"));
    boolean hive = config.getBoolean("spark.hive");
    boolean embeddedMetastore = hive && !metastoreConfigured(sparkConf);
    if (embeddedMetastore && !workdir.startsWith("file:")) {
      throw bad(
          config,
          "workdir",
          "is "
              + workdir
              + ", not a local directory, and no metastore is configured: the embedded metastore"
              + " keeps its database under the workdir on local disk; name the cluster's metastore"
              + " (spark.hadoop.hive.metastore.uris in dsmigrate.spark.conf or spark-submit's"
              + " --conf, or hive-site.xml) or give a local workdir");
    }
    String database = config.getString("results.database");
    if (!database.matches("[a-z_][a-z0-9_]*")) {
      throw bad(config, "results.database", "must be a lower-case name of letters, digits and _");
    }
    int concurrency = positive(config, "fleet.concurrency");
    int retries = config.getInt("fleet.retries");
    if (retries < 0) {
      throw bad(config, "fleet.retries", "must be 0 or more");
    }
    Duration backoff = config.getDuration("fleet.retry-backoff");
    Duration timeout = config.getDuration("fleet.dataset-timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw bad(config, "fleet.dataset-timeout", "must be positive, e.g. 30m");
    }
    int batch = positive(config, "fleet.results-batch");
    Duration resultsInterval = atLeastASecond(config, "fleet.results-interval", "30s");
    Duration progressInterval = atLeastASecond(config, "progress.interval", "10s");
    String snapshots = config.getString("snapshots.dir");
    String snapshotsDir =
        snapshots.isBlank()
            ? locations.resolve(workdir, "snapshots")
            : locations.qualify(snapshots);
    int samples = config.getInt("validation.samples");
    if (samples < 0) {
      throw bad(config, "validation.samples", "must be 0 or more");
    }
    int floatDigits = config.getInt("validation.query-float-digits");
    if (floatDigits < 0 || floatDigits > 17) {
      throw bad(config, "validation.query-float-digits", "must be 0 (exact) to 17");
    }
    int pilot = config.getInt("plan.pilot");
    if (pilot < 0) {
      throw bad(config, "plan.pilot", "must be 0 (no pilot wave) or more");
    }
    int waveSize = config.getInt("plan.wave-size");
    if (waveSize < 0) {
      throw bad(config, "plan.wave-size", "must be 0 (one wave after the pilot) or more");
    }
    double maxFailureRate = config.getDouble("fleet.error-threshold.max-failure-rate");
    if (!(maxFailureRate >= 0 && maxFailureRate <= 1)) {
      throw bad(
          config,
          "fleet.error-threshold.max-failure-rate",
          "must be 0 to 1 (e.g. 0.2 stops a wave once more than 20% of its finished datasets"
              + " failed; 1 never stops)");
    }
    int minFailures = positive(config, "fleet.error-threshold.min-failures");
    BackupName backupName;
    try {
      backupName = new BackupName(config.getString("cutover.backup-name"));
    } catch (IllegalArgumentException e) {
      throw bad(config, "cutover.backup-name", e.getMessage());
    }
    long agentMaxBytes = config.getBytes("agent.max-bytes");
    if (agentMaxBytes < 0) {
      throw bad(config, "agent.max-bytes", "must be 0 or more, e.g. 256MB");
    }
    long agentMaxFiles = config.getLong("agent.max-files");
    if (agentMaxFiles < 0) {
      throw bad(config, "agent.max-files", "must be 0 or more");
    }
    AgentLimits agent =
        new AgentLimits(config.getBoolean("agent.enabled"), agentMaxBytes, agentMaxFiles);
    int agentChunk = positive(config, "agent.chunk");
    return new Settings(
        workdir,
        database,
        concurrency,
        retries,
        backoff,
        timeout,
        batch,
        resultsInterval,
        snapshotsDir,
        LedgerSettings.from(config, workdir, locations),
        config.getString("spark.master"),
        hive,
        sparkConf,
        samples,
        floatDigits,
        pilot,
        waveSize,
        new ErrorThreshold(maxFailureRate, minFailures),
        SecuritySettings.from(config),
        backupName,
        agent,
        agentChunk,
        locations,
        embeddedMetastore,
        progressInterval,
        NotifySettings.from(config));
  }

  /** A copy with another concurrency (from the command line). */
  public Settings withConcurrency(int value) {
    return new Settings(
        workdir,
        resultsDatabase,
        value,
        retries,
        retryBackoff,
        datasetTimeout,
        resultsBatch,
        resultsInterval,
        snapshotsDir,
        ledger,
        sparkMaster,
        hive,
        sparkConf,
        validationSamples,
        queryFloatDigits,
        pilot,
        waveSize,
        errorThreshold,
        security,
        backupName,
        agent,
        agentChunk,
        locations,
        embeddedMetastore,
        progressInterval,
        notifications);
  }

  /**
   * Whether a metastore is named for this process: {@code hive.metastore.uris} or a JDO connection
   * URL in {@code sparkConf}, in spark-submit's {@code --conf}s (system properties) or in a {@code
   * hive-site.xml} on the classpath (where Spark reads it from).
   */
  private static boolean metastoreConfigured(Map<String, String> sparkConf) {
    List<String> keys = List.of("hive.metastore.uris", "javax.jdo.option.ConnectionURL");
    for (String key : keys) {
      if (!sparkConf.getOrDefault("spark.hadoop." + key, "").isBlank()
          || !System.getProperty("spark.hadoop." + key, "").isBlank()) {
        return true;
      }
    }
    java.net.URL hiveSite =
        Thread.currentThread().getContextClassLoader().getResource("hive-site.xml");
    if (hiveSite != null) {
      org.apache.hadoop.conf.Configuration site = new org.apache.hadoop.conf.Configuration(false);
      site.addResource(hiveSite);
      return keys.stream().anyMatch(key -> !site.get(key, "").isBlank());
    }
    return false;
  }

  /**
   * The warehouse dsmigrate sets for Spark: {@code <workdir>/warehouse} with the embedded metastore
   * (or no Hive), none (the cluster's own) when a metastore is named.
   */
  public java.util.Optional<String> defaultWarehouse() {
    return embeddedMetastore || !hive
        ? java.util.Optional.of(locations.resolve(workdir, "warehouse"))
        : java.util.Optional.empty();
  }

  /**
   * dsmigrate's own state, which specs may neither read nor write: the results database's tables,
   * and the directories of the ledger, pause requests, snapshots, plans, the embedded metastore and
   * the results database (in the warehouse that {@code spark.sql.warehouse.dir} or the workdir
   * gives; the job adds the metastore's own location of it when it runs).
   */
  @Override
  public ReservedLocations reservedLocations() {
    ReservedLocations reserved =
        ReservedLocations.of(resultsDatabase)
            .with("the ledger (dsmigrate.ledger.dir)", ledger.directory())
            .with("the pause requests (dsmigrate.control.dir)", ledger.controlDirectory())
            .with("the snapshots (dsmigrate.snapshots.dir)", snapshotsDir)
            .with("the plans (<workdir>/plans)", plansDir());
    if (embeddedMetastore) {
      reserved =
          reserved.with(
              "the embedded metastore (<workdir>/metastore_db)",
              locations.resolve(workdir, "metastore_db"));
    }
    String warehouse = sparkConf.get("spark.sql.warehouse.dir");
    if (warehouse == null) {
      warehouse = defaultWarehouse().orElse(null);
    }
    return warehouse == null
        ? reserved
        : reserved.with(
            "the results database's files (<warehouse>/" + resultsDatabase + ".db)",
            locations.resolve(warehouse, resultsDatabase + ".db"));
  }

  /**
   * The Hadoop configuration of this process before its SparkSession exists: Hadoop's files on the
   * classpath and the {@code spark.hadoop.*} settings.
   */
  public org.apache.hadoop.conf.Configuration hadoopConfiguration() {
    return Locations.hadoopConfiguration(sparkConf);
  }

  /**
   * The notifier of these settings ({@code dsmigrate.notify.*}), recording in the results database;
   * {@link Notifier#NONE} when no webhook is set. The caller closes it.
   */
  public Notifier notifier(org.apache.spark.sql.SparkSession spark) {
    return Notifier.open(spark, notifications, resultsDatabase, ledger.haltPoint());
  }

  /** Where plans are written unless told otherwise: {@code <workdir>/plans}. */
  public String plansDir() {
    return locations.resolve(workdir, "plans");
  }

  /** The results table's full name. */
  public String resultsTable() {
    return resultsDatabase + ".migration_results";
  }

  private static int positive(Config config, String path) {
    int value = config.getInt(path);
    if (value < 1) {
      throw bad(config, path, "must be 1 or more");
    }
    return value;
  }

  private static Duration atLeastASecond(Config config, String path, String example) {
    Duration value = config.getDuration(path);
    if (value.compareTo(Duration.ofSeconds(1)) < 0) {
      throw bad(config, path, "must be 1s or more, e.g. " + example);
    }
    return value;
  }

  private static ConfigException bad(Config config, String path, String message) {
    return new ConfigException.BadValue(
        config.getValue(path).origin(), "dsmigrate." + path, message);
  }

  private static String unquote(String key) {
    return key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
  }
}
