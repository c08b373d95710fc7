package io.dsmigrate.job.fleet;

import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a fleet run did: one result per dataset, {@code stoppedBy}: why the error threshold stopped
 * a wave and rolled it back (null when it did not), and {@code byAgents}: how many datasets the
 * agents migrated (the others took the Spark path).
 */
public record FleetReport(
    String runId, List<DatasetResult> results, String stoppedBy, int byAgents) {
  public FleetReport {
    results = List.copyOf(results);
  }

  public FleetReport(String runId, List<DatasetResult> results, String stoppedBy) {
    this(runId, results, stoppedBy, 0);
  }

  public FleetReport(String runId, List<DatasetResult> results) {
    this(runId, results, null);
  }

  public Map<Status, Integer> counts() {
    Map<Status, Integer> counts = new EnumMap<>(Status.class);
    for (DatasetResult result : results) {
      counts.merge(result.status(), 1, Integer::sum);
    }
    return counts;
  }

  public List<DatasetResult> failed() {
    return results.stream().filter(r -> r.status() == Status.FAILED).toList();
  }

  /** The datasets not started because the run was paused. */
  public List<DatasetResult> paused() {
    return results.stream().filter(r -> r.status() == Status.PAUSED).toList();
  }

  /** The datasets held back: their wave was stopped, or the pilot did not pass. */
  public List<DatasetResult> notStarted() {
    return results.stream().filter(r -> r.status() == Status.NOT_STARTED).toList();
  }

  /**
   * {@value #STOPPED} when a wave passed the error threshold and was rolled back; {@value #PAUSED}
   * when the run was paused before it started them all (the rest is not done, whatever else
   * happened); 1 when some failed or were held back (a pilot that did not pass); 0 when every
   * dataset succeeded, was skipped or passed a dry run.
   */
  public int exitCode() {
    if (stoppedBy != null) {
      return STOPPED;
    }
    if (!paused().isEmpty()) {
      return PAUSED;
    }
    return failed().isEmpty() && notStarted().isEmpty() ? 0 : 1;
  }

  /** The exit code of a run whose wave passed the error threshold. */
  public static final int STOPPED = 3;

  /** The exit code of a paused run. */
  public static final int PAUSED = 4;

  /** This report with another's results after it. */
  public FleetReport and(FleetReport later) {
    List<DatasetResult> all = new java.util.ArrayList<>(results);
    all.addAll(later.results);
    return new FleetReport(
        runId, all, stoppedBy != null ? stoppedBy : later.stoppedBy, byAgents + later.byAgents);
  }
}
