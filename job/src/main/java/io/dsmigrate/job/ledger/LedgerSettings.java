package io.dsmigrate.job.ledger;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.dsmigrate.job.fs.Locations;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the ledger, the leases and pause requests ({@code dsmigrate.ledger.*}, {@code
 * dsmigrate.control.*}, {@code dsmigrate.testing.*}).
 *
 * @param directory where the ledger lives (a path or a URI), shared by every run that may touch the
 *     same datasets
 * @param leaseDuration how long a run holds a dataset without renewing
 * @param heartbeat how often a run renews the datasets it holds
 * @param waitWhenLeased wait for a dataset that another live run holds (true), or record it SKIPPED
 * @param controlDirectory where pause requests are written and looked for (a path or a URI)
 * @param haltAfter for crash tests only: {@code <dataset id>:<point>} ({@link HaltPoint}), or empty
 */
public record LedgerSettings(
    String directory,
    Duration leaseDuration,
    Duration heartbeat,
    boolean waitWhenLeased,
    String controlDirectory,
    String haltAfter) {

  public LedgerSettings {
    requireNonNull(directory, "directory is null");
    requireNonNull(leaseDuration, "leaseDuration is null");
    requireNonNull(heartbeat, "heartbeat is null");
    requireNonNull(controlDirectory, "controlDirectory is null");
    haltAfter = haltAfter == null ? "" : haltAfter;
  }

  /** Reads and checks the settings under {@code dsmigrate} ({@code config}). */
  public static LedgerSettings from(Config config, String workdir, Locations locations) {
    Duration lease = config.getDuration("ledger.lease-duration");
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw bad(config, "ledger.lease-duration", "must be 1s or more, e.g. 2m");
    }
    Duration heartbeat = config.getDuration("ledger.heartbeat");
    if (heartbeat.isNegative()
        || heartbeat.isZero()
        || heartbeat.multipliedBy(2).compareTo(lease) > 0) {
      throw bad(
          config,
          "ledger.heartbeat",
          "must be positive and at most half of dsmigrate.ledger.lease-duration ("
              + lease
              + "), so that one late heartbeat does not lose a lease");
    }
    String whenLeased = config.getString("ledger.when-leased");
    if (!whenLeased.equals("skip") && !whenLeased.equals("wait")) {
      throw bad(config, "ledger.when-leased", "must be skip or wait, not " + whenLeased);
    }
    String haltAfter = config.getString("testing.halt-after");
    try {
      HaltPoint.of(haltAfter);
    } catch (IllegalArgumentException e) {
      throw bad(config, "testing.halt-after", e.getMessage());
    }
    String directory = orDefault(config, "ledger.dir", workdir, "ledger", locations);
    String scheme = new org.apache.hadoop.fs.Path(directory).toUri().getScheme();
    List<String> atomic = config.getStringList("ledger.atomic-schemes");
    if (!atomic.contains(scheme)) {
      throw new ConfigException.BadValue(
          (config.getString("ledger.dir").isBlank()
                  ? config.getValue("workdir")
                  : config.getValue("ledger.dir"))
              .origin(),
          "dsmigrate.ledger.dir",
          "the ledger at "
              + directory
              + " is on a "
              + scheme
              + ": file system, which cannot create a file only if it is absent in one atomic"
              + " step (the ledger's leases and steps depend on it: two runs could both take one"
              + " dataset); put dsmigrate.ledger.dir on "
              + String.join(", ", atomic)
              + " storage (e.g. hdfs:///dsmigrate/ledger), or, if this file system does offer it,"
              + " add '"
              + scheme
              + "' to dsmigrate.ledger.atomic-schemes");
    }
    return new LedgerSettings(
        directory,
        lease,
        heartbeat,
        whenLeased.equals("wait"),
        orDefault(config, "control.dir", workdir, "control", locations),
        haltAfter);
  }

  /** The test-only halt point. */
  public HaltPoint haltPoint() {
    return HaltPoint.of(haltAfter);
  }

  private static String orDefault(
      Config config, String path, String workdir, String child, Locations locations) {
    String value = config.getString(path);
    return value.isBlank() ? locations.resolve(workdir, child) : locations.qualify(value);
  }

  private static ConfigException bad(Config config, String path, String message) {
    return new ConfigException.BadValue(
        config.getValue(path).origin(), "dsmigrate." + path, message);
  }
}
