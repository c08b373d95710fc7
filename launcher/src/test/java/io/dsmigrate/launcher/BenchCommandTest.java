package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code dsmigrate bench} as people run it, on a few datasets: it migrates every one, and prints
 * both costs, their ratio, the paths the datasets took and the driver's heap.
 */
class BenchCommandTest extends SparkTestBase {
  @Test
  void benchMigratesEveryDatasetAndPrintsBothCostsTheRatioThePathsAndTheHeap() {
    Outcome bench =
        Cli.dsmigrate(
            "bench",
            "--workdir",
            temp.resolve("work").toString(),
            "--datasets",
            "6",
            "--baseline-datasets",
            "2",
            "--naive-datasets",
            "1",
            "-Ddsmigrate.results.database=cli_bench_run");
    assertThat(bench.code()).as(bench.out() + bench.err()).isZero();
    assertThat(bench.out())
        .containsPattern(
            "naive loop \\(write \\+ count \\+ exceptAll x2\\): +[0-9.]+ ms per dataset")
        .containsPattern(
            "[0-9.]+ ms per dataset, marginal between 2 datasets \\([0-9.]+ s\\) and 6 datasets")
        .containsPattern("ratio naive / dsmigrate: [0-9.]+x")
        .contains("paths: 6 datasets on the agent path, 0 on the Spark path")
        .contains("dsmigrate datasets succeeded: 6 of 6");
    Matcher heap =
        Pattern.compile(
                "driver heap: at most (\\d+) MiB in use; live (\\d+) MiB before, (\\d+) MiB after"
                    + " \\([-+][0-9.]+ KiB per dataset\\); max heap (\\d+) MiB")
            .matcher(bench.out());
    assertThat(heap.find()).as(bench.out()).isTrue();
    long inUse = Long.parseLong(heap.group(1));
    long max = Long.parseLong(heap.group(4));
    assertThat(inUse).isPositive().isLessThanOrEqualTo(max);
    assertThat(Long.parseLong(heap.group(2))).isPositive().isLessThanOrEqualTo(inUse);
    assertThat(Long.parseLong(heap.group(3))).isPositive().isLessThanOrEqualTo(max);
    assertThat(
            spark()
                .sql(
                    "SELECT count(*) FROM cli_bench_run.migration_results WHERE status ="
                        + " 'SUCCEEDED'")
                .first()
                .getLong(0))
        .isGreaterThanOrEqualTo(6);
  }
}
