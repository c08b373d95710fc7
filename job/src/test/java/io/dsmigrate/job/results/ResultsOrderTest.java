package io.dsmigrate.job.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import java.sql.Timestamp;
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
    return new DatasetResult(
        runId,
        "plan",
        0,
        1,
        "orders",
        status,
        "legacy.orders",
        "sales.orders",
        "/warehouse/sales.db/orders",
        "none",
        false,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "hash",
        1,
        List.of(),
        new Timestamp(finished - 1000),
        new Timestamp(finished),
        1000,
        null,
        null);
  }
}
