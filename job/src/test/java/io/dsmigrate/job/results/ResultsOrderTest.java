package io.dsmigrate.job.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which row of a dataset is its latest follows the order in which rows were committed to the
 * results table, not the clocks of the hosts that wrote them (partitions and retries of a run run
 * on other hosts, whose clocks drift).
 */
class ResultsOrderTest extends JobTestBase {
  @Test
  void aRowCommittedLaterIsTheLatestEvenWhenItsHostsClockIsBehind() {
    ResultsTable results = ResultsTable.in(spark(), "order_results");
    long now = System.currentTimeMillis();
    DatasetResult succeeded = row("run-a", Status.SUCCEEDED, now);
    // Written after it by a host whose clock is an hour behind.
    DatasetResult rolledBack = row("run-b", Status.ROLLED_BACK, now - 3_600_000);
    results.append(List.of(succeeded));
    results.append(List.of(rolledBack));

    assertThat(results.latestByDataset().get("orders").status()).isEqualTo(Status.ROLLED_BACK);
    assertThat(results.lastRunId()).isEqualTo("run-b");
  }

  private static DatasetResult row(String runId, Status status, long finished) {
    return ordersRow(runId, status, finished, null);
  }
}
