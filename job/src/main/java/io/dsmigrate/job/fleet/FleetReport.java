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

  /** 0 when every dataset succeeded, was skipped or passed a dry run; 1 when some failed. */
  public int exitCode() {
    return failed().isEmpty() ? 0 : 1;
  }
}
