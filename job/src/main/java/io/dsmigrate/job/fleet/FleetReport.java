package io.dsmigrate.job.fleet;

import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What a fleet run did: one result per dataset. */
public record FleetReport(String runId, List<DatasetResult> results) {
  public FleetReport {
    results = List.copyOf(results);
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

  /**
   * 0 when every dataset succeeded, was skipped or passed a dry run; 1 when some failed; {@value
   * #PAUSED} when the run was paused before it started them all (the rest is not done, whatever
   * else happened).
   */
  public int exitCode() {
    if (!paused().isEmpty()) {
      return PAUSED;
    }
    return failed().isEmpty() ? 0 : 1;
  }

  /** The exit code of a paused run. */
  public static final int PAUSED = 4;
}
