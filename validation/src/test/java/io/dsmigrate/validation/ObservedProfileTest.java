package io.dsmigrate.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.SparkTestBase;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The rows being written are profiled by the write itself, which saves validation a read. */
class ObservedProfileTest extends SparkTestBase {

  private Dataset<Row> source() {
    spark()
        .range(5000)
        .selectExpr("id", "CAST(id % 7 AS STRING) AS s", "id / 3.0D AS d")
        .write()
        .parquet(path("source"));
    return spark().read().parquet(path("source")).selectExpr("id", "s AS label", "d");
  }

  @Test
  void aDeltaWriteProfilesTheRowsAndValidationThenReadsOnlyTheTarget() throws Exception {
    Dataset<Row> rows = source();
    ObservedProfile observed = ObservedProfile.attach(rows);
    observed.rows().write().format("delta").save(path("target"));
    Dataset<Row> written = spark().read().format("delta").load(path("target"));

    AtomicLong parquetRecords = new AtomicLong();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
              parquetRecords.addAndGet(end.taskMetrics().inputMetrics().recordsRead());
            }
          }
        };
    spark().sparkContext().addSparkListener(listener);
    ComparisonResult result;
    try {
      result = DatasetComparison.of(rows, written).knownOld(observed).execute();
    } finally {
      spark().sparkContext().listenerBus().waitUntilEmpty();
      spark().sparkContext().removeSparkListener(listener);
    }
    assertThat(observed.available()).isTrue();
    assertThat(result.equal()).isTrue();
    assertThat(result.rowsOld()).isEqualTo(5000);
    // Only the target's 5000 rows were read (plus the few records of its Delta log), not the
    // source.
    assertThat(parquetRecords.get()).isBetween(5000L, 5100L);
  }

  @Test
  void anObservedProfileThatDisagreesIsCheckedAgainstTheDataItself() {
    Dataset<Row> rows = source();
    ObservedProfile observed = ObservedProfile.attach(rows.where("id < 10"));
    observed.rows().write().format("delta").save(path("partial"));
    // The observed figures stand for 10 rows; the old side has 5000, all present in the target.
    rows.write().format("delta").save(path("full"));
    ComparisonResult result =
        DatasetComparison.of(rows, spark().read().format("delta").load(path("full")))
            .knownOld(observed)
            .execute();
    assertThat(result.equal()).isTrue();
    assertThat(result.rowsOld()).isEqualTo(5000);
  }

  @Test
  void withoutAnActionTheProfileIsNotUsed() {
    Dataset<Row> rows = source();
    ObservedProfile observed = ObservedProfile.attach(rows, java.time.Duration.ofMillis(200));
    assertThat(observed.available()).isFalse();
    ComparisonResult result =
        DatasetComparison.of(rows, rows.where("id > 0")).knownOld(observed).execute();
    assertThat(result.rowsMissing()).isEqualTo(1);
  }
}
