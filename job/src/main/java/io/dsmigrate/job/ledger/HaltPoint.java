package io.dsmigrate.job.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For crash tests only ({@code dsmigrate.testing.halt-after = "<dataset id>:<point>"}): ends the
 * process abruptly, as a kill would (no shutdown hooks, no finally blocks), right after the ledger
 * records {@code point} for the dataset. Points are the ledger states (STARTED, SNAPSHOTTED,
 * WRITING, WRITTEN, CUTTING_OVER, UNDOING, SUCCEEDED, FAILED: the outcome with its results row
 * pending), APPENDED (its results row committed, the ledger not yet told) and NOTICE_&lt;EVENT&gt;
 * (a notice of that event about the dataset recorded as sent, e.g. NOTICE_STARTING).
 */
public final class HaltPoint {
  private static final Logger LOG = LoggerFactory.getLogger(HaltPoint.class);

  /** Never halts. */
  public static final HaltPoint NONE = new HaltPoint(null, null);

  /** The exit status of a halt: what a shell reports for a process ended by SIGKILL. */
  public static final int STATUS = 137;

  private final String datasetId;
  private final String point;

  private HaltPoint(String datasetId, String point) {
    this.datasetId = datasetId;
    this.point = point;
  }

  /** From the setting: empty for none, else {@code <dataset id>:<point>}. */
  public static HaltPoint of(String setting) {
    if (setting == null || setting.isBlank()) {
      return NONE;
    }
    int colon = setting.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "dsmigrate.testing.halt-after must be <dataset id>:<point>, not " + setting);
    }
    return new HaltPoint(setting.substring(0, colon), setting.substring(colon + 1));
  }

  /** Called as a dataset reaches a point; halts the process when it is the configured one. */
  public void reached(String dataset, String reached) {
    if (point != null && datasetId.equals(dataset) && point.equals(reached)) {
      LOG.warn("{}: halting the process after {} (dsmigrate.testing.halt-after)", dataset, reached);
      Runtime.getRuntime().halt(STATUS);
    }
  }
}
