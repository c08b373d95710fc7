package io.dsmigrate.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Keyed diffs, per-column attribution, tolerances, ignored columns, samples and canonical forms.
 */
class KeyedComparisonTest extends SparkTestBase {
  private static final String SCHEMA = "id INT, a STRING, b DOUBLE, c DECIMAL(10,2)";

  private static Dataset<Row> old() {
    return spark()
        .range(1, 11)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "concat('a', id) AS a",
            "id * 1.5D AS b",
            "CAST(id AS DECIMAL(10,2)) AS c");
  }

  /**
   * Key 2: a changed; key 3: a and b changed; key 4: only in old; key 11: only in new; key 5 twice
   * in new (once as in old, once with another c).
   */
  private static Dataset<Row> changed() {
    return old()
        .where("id <> 4")
        .selectExpr(
            "id",
            "CASE WHEN id IN (2, 3) THEN concat('A', id) ELSE a END AS a",
            "CASE WHEN id = 3 THEN b + 1 ELSE b END AS b",
            "c")
        .unionByName(rows(SCHEMA, row(11, "a11", 16.5, new java.math.BigDecimal("11.00"))))
        .unionByName(rows(SCHEMA, row(5, "a5", 7.5, new java.math.BigDecimal("5.01"))));
  }

  @Test
  void keyedDiffCountsChangedKeysAndTheColumnsThatDiffer() {
    ComparisonResult result = DatasetComparison.of(old(), changed()).key(List.of("id")).execute();
    assertThat(result.contentMatch()).isFalse();
    assertThat(result.rowsChanged()).isEqualTo(2);
    assertThat(result.keysOnlyOld()).isEqualTo(1);
    assertThat(result.keysOnlyNew()).isEqualTo(1);
    assertThat(result.duplicateKeys()).isEqualTo(1);
    // Multiset view: rows 2, 3, 4 missing; rows 2', 3', 11 and the second 5 extra.
    assertThat(result.rowsMissing()).isEqualTo(3);
    assertThat(result.rowsExtra()).isEqualTo(4);
    assertThat(result.columnsDiffering()).containsExactly("a", "b");
    assertThat(rowsDifferingPerColumn(result))
        .containsExactly(
            Map.entry("id", 0L), Map.entry("a", 2L), Map.entry("b", 1L), Map.entry("c", 0L));
  }

  private static Map<String, Long> rowsDifferingPerColumn(ComparisonResult result) {
    Map<String, Long> perColumn = new java.util.LinkedHashMap<>();
    result.columns().forEach(column -> perColumn.put(column.name(), column.rowsDiffering()));
    return perColumn;
  }

  @Test
  void duplicateKeysNeverMultiplyRows() {
    // 200 copies of one key on each side: a join on the key would pair 40,000 rows. Key 2 is
    // repeated too, the same way on both sides, so it is no difference and not counted.
    Dataset<Row> twice = spark().range(2).selectExpr("2 AS id", "7L AS v");
    Dataset<Row> old = spark().range(200).selectExpr("1 AS id", "id AS v").unionByName(twice);
    Dataset<Row> now =
        spark()
            .range(200)
            .selectExpr("1 AS id", "CASE WHEN id = 0 THEN -1 ELSE id END AS v")
            .unionByName(twice);
    ComparisonResult result = DatasetComparison.of(old, now).key(List.of("id")).execute();
    assertThat(result.duplicateKeys()).isEqualTo(1);
    assertThat(result.rowsMissing()).isEqualTo(1);
    assertThat(result.rowsExtra()).isEqualTo(1);
    assertThat(result.rowsChanged()).isZero();
    // Repeated the same way on both sides, a key is no difference: equal tables need one scan
    // of each side, and no pass over the keys.
    ComparisonResult equal = DatasetComparison.of(old, old).key(List.of("id")).execute();
    assertThat(equal.equal()).isTrue();
    assertThat(equal.duplicateKeys()).isZero();

    // A null key is one key: 3,000 rows without a key on each side, one of them changed.
    Dataset<Row> nulls = spark().range(3000).selectExpr("CAST(NULL AS INT) AS id", "id AS v");
    ComparisonResult nullKeys =
        DatasetComparison.of(
                nulls, nulls.selectExpr("id", "CASE WHEN v = 7 THEN -7 ELSE v END AS v"))
            .key(List.of("id"))
            .execute();
    assertThat(nullKeys.duplicateKeys()).isEqualTo(1);
    assertThat(nullKeys.rowsMissing()).isEqualTo(1);
    assertThat(nullKeys.rowsExtra()).isEqualTo(1);
    assertThat(nullKeys.keysOnlyOld()).isZero();
    assertThat(nullKeys.keysOnlyNew()).isZero();
  }

  @Test
  void absoluteToleranceAcceptsSmallDifferencesAndRejectsLargerOnes() {
    Dataset<Row> old =
        rows(
            "id INT, x DOUBLE, d DECIMAL(12,4)",
            row(1, 1.0, dec("1.0000")),
            row(2, 2.0, dec("2.0000")),
            row(3, 3.0, dec("3.0000")));
    Dataset<Row> now =
        rows(
            "id INT, x DOUBLE, d DECIMAL(12,4)",
            row(1, 1.004, dec("1.0000")),
            row(2, 2.5, dec("2.0001")),
            row(3, 3.0, dec("3.0000")));

    ComparisonResult exact = DatasetComparison.of(old, now).key(List.of("id")).execute();
    assertThat(exact.rowsChanged()).isEqualTo(2);

    ComparisonResult tolerant =
        DatasetComparison.of(old, now)
            .key(List.of("id"))
            .tolerance("x", Tolerance.parse("0.01"))
            .tolerance("d", Tolerance.parse("0.001"))
            .execute();
    assertThat(tolerant.rowsChanged()).isEqualTo(1);
    assertThat(tolerant.rowsWithinTolerance()).isEqualTo(1);
    assertThat(tolerant.rowsMissing()).isEqualTo(1);
    assertThat(tolerant.rowsExtra()).isEqualTo(1);
    assertThat(tolerant.columnsDiffering()).containsExactly("x");

    ComparisonResult wide =
        DatasetComparison.of(old, now)
            .key(List.of("id"))
            .tolerance("x", Tolerance.parse("1"))
            .tolerance("d", Tolerance.parse("0.001"))
            .execute();
    assertThat(wide.contentMatch()).isTrue();
    assertThat(wide.rowsWithinTolerance()).isEqualTo(2);
  }

  @Test
  void relativeToleranceScalesWithTheValue() {
    Dataset<Row> old = rows("id INT, x DOUBLE", row(1, 1_000_000.0), row(2, 1.0));
    Dataset<Row> now = rows("id INT, x DOUBLE", row(1, 1_000_001.0), row(2, 1.001));
    ComparisonResult result =
        DatasetComparison.of(old, now)
            .key(List.of("id"))
            .tolerance("x", Tolerance.parse("1e-5 relative"))
            .execute();
    // 1 in a million is within 1e-5; 1 in a thousand is not.
    assertThat(result.rowsChanged()).isEqualTo(1);
    assertThat(result.rowsWithinTolerance()).isEqualTo(1);
    assertThat(Tolerance.parse("0.5%")).isEqualTo(new Tolerance(0, 0.005));
  }

  @Test
  void aToleranceNeverMakesEqualValuesDiffer() {
    // Infinity minus infinity is NaN, which no tolerance accepts: equal values must not get there.
    String schema = "id INT, x DOUBLE, s STRING";
    double inf = Double.POSITIVE_INFINITY;
    Dataset<Row> old =
        rows(
            schema, row(1, inf, "a"), row(2, Double.NaN, "b"), row(3, null, "c"), row(4, 1.0, "d"));
    Dataset<Row> now =
        rows(
            schema,
            row(1, inf, "A"),
            row(2, Double.NaN, "B"),
            row(3, null, "C"),
            row(4, -inf, "d"));
    DatasetComparison comparison = DatasetComparison.of(old, now).key(List.of("id"));
    ComparisonResult result = comparison.tolerance("x", Tolerance.parse("0.5")).execute();
    assertThat(result.rowsChanged()).isEqualTo(4);
    assertThat(rowsDifferingPerColumn(result))
        .containsExactly(Map.entry("id", 0L), Map.entry("x", 1L), Map.entry("s", 3L));
  }

  @Test
  void toleranceNeedsAKeyAndANumericColumn() {
    assertThatThrownBy(
            () -> DatasetComparison.of(old(), old()).tolerance("b", new Tolerance(1, 0)).execute())
        .hasMessageContaining("needs a key");
    assertThatThrownBy(
            () ->
                DatasetComparison.of(old(), old())
                    .key(List.of("id"))
                    .tolerance("a", new Tolerance(1, 0))
                    .execute())
        .hasMessageContaining("'a': it is string");
    assertThatThrownBy(() -> DatasetComparison.of(old(), old()).key(List.of("nope")).execute())
        .hasMessageContaining("'nope'")
        .hasMessageContaining("id, a, b, c");
    assertThatThrownBy(() -> Tolerance.parse("a lot"))
        .hasMessageContaining("cannot read the tolerance 'a lot'");
  }

  @Test
  void ignoredColumnsAreNotComparedButOthersStillAre() {
    Dataset<Row> now =
        old().selectExpr("id", "upper(a) AS a", "b", "c", "current_timestamp() AS loaded_at");
    ComparisonResult ignored =
        DatasetComparison.of(old(), now).ignore(List.of("a", "loaded_at")).execute();
    assertThat(ignored.equal()).isTrue();
    assertThat(ignored.comparedColumns()).containsExactly("id", "b", "c");

    Dataset<Row> alsoB = now.selectExpr("id", "a", "b + 1 AS b", "c", "loaded_at");
    ComparisonResult stillCompared =
        DatasetComparison.of(old(), alsoB).ignore(List.of("a", "loaded_at")).execute();
    assertThat(stillCompared.contentMatch()).isFalse();
    assertThat(stillCompared.columnsDiffering()).containsExactly("b");
  }

  @Test
  void samplesNameTheDifferingRowsAndColumns() {
    List<Row> written = new ArrayList<>();
    DiffSampleSink sink =
        samples -> {
          assertThat(samples.schema().simpleString())
              .isEqualTo(DiffSampleSink.SCHEMA.simpleString());
          written.addAll(samples.orderBy("kind", "key").collectAsList());
        };
    ComparisonResult result =
        DatasetComparison.of(old(), changed()).key(List.of("id")).samples(10, sink).execute();
    assertThat(result.samplesWritten()).isEqualTo(written.size()).isEqualTo(4);
    assertThat(written)
        .extracting(row -> row.getString(0) + " " + row.getString(1))
        .containsExactly(
            "changed {\"id\":2}", "changed {\"id\":3}", "extra {\"id\":11}", "missing {\"id\":4}");
    Row three = written.get(1);
    assertThat(three.getList(2)).containsExactly("a", "b");
    assertThat(three.getString(3)).isEqualTo("{\"id\":3,\"a\":\"a3\",\"b\":4.5,\"c\":3.00}");
    assertThat(three.getString(4)).isEqualTo("{\"id\":3,\"a\":\"A3\",\"b\":5.5,\"c\":3.00}");

    List<Row> keyless = new ArrayList<>();
    DatasetComparison.of(old(), old().where("id <> 4"))
        .samples(5, samples -> keyless.addAll(samples.collectAsList()))
        .execute();
    assertThat(keyless).hasSize(1);
    assertThat(keyless.get(0).getString(0)).isEqualTo("missing");
    assertThat(keyless.get(0).getString(3)).contains("\"a\":\"a4\"");

    List<Row> limited = new ArrayList<>();
    DatasetComparison.of(old(), old().where("id > 8"))
        .samples(3, samples -> limited.addAll(samples.collectAsList()))
        .execute();
    assertThat(limited).hasSize(3);
  }

  /**
   * Sides read from files are profiled and read out straight from Spark's column batches; with
   * their columns stored in another order, a column taken from partition directories, and one side
   * or both read so, the diff, its per-column counts and its samples are exactly those of the same
   * rows in memory.
   */
  @Test
  void sidesReadFromFilesGiveTheSameDiffAndSamples() {
    old().select("c", "b", "a", "id").write().parquet(path("old"));
    // The new side is partitioned by a: its values come from the directory names.
    changed()
        .select("c", "b", "a", "id")
        .repartition(3)
        .write()
        .partitionBy("a")
        .parquet(path("new"));
    Dataset<Row> oldRead = spark().read().parquet(path("old")).select("id", "a", "b", "c");
    Dataset<Row> newRead = spark().read().parquet(path("new")).select("id", "a", "b", "c");
    assertThat(BatchScan.batches(oldRead)).isNotNull();
    assertThat(BatchScan.batches(newRead)).isNotNull();

    List<Row> expectedSamples = new ArrayList<>();
    ComparisonResult expected = keyedWithSamples(old(), changed(), expectedSamples);
    assertThat(expected.rowsChanged()).isEqualTo(2);
    for (List<Dataset<Row>> sides :
        List.of(List.of(oldRead, newRead), List.of(oldRead, changed()), List.of(old(), newRead))) {
      List<Row> samples = new ArrayList<>();
      ComparisonResult result = keyedWithSamples(sides.get(0), sides.get(1), samples);
      assertThat(result).isEqualTo(expected);
      assertThat(samples).containsExactlyInAnyOrderElementsOf(expectedSamples);
    }
  }

  private static ComparisonResult keyedWithSamples(
      Dataset<Row> old, Dataset<Row> now, List<Row> samples) {
    return DatasetComparison.of(old, now)
        .key(List.of("id"))
        .samples(10, written -> samples.addAll(written.collectAsList()))
        .execute();
  }

  @Test
  void largeDifferencesAreCountedWithoutPullingRowsToTheDriver() throws Exception {
    Dataset<Row> old =
        spark().range(300_000).selectExpr("id", "sha2(CAST(id AS STRING), 256) AS payload");
    Dataset<Row> now = old.selectExpr("id", "upper(payload) AS payload");
    AtomicLong resultBytes = new AtomicLong();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
            if (taskEnd.taskMetrics() != null) {
              resultBytes.addAndGet(taskEnd.taskMetrics().resultSize());
            }
          }
        };
    spark().sparkContext().addSparkListener(listener);
    try {
      ComparisonResult keyless =
          DatasetComparison.of(old, now).samples(5, samples -> samples.count()).execute();
      ComparisonResult keyed =
          DatasetComparison.of(old, now)
              .key(List.of("id"))
              .samples(5, samples -> samples.count())
              .execute();
      assertThat(keyless.rowsMissing()).isEqualTo(300_000);
      assertThat(keyed.rowsChanged()).isEqualTo(300_000);
      assertThat(keyed.columnsDiffering()).containsExactly("payload");
    } finally {
      spark().sparkContext().listenerBus().waitUntilEmpty();
      spark().sparkContext().removeSparkListener(listener);
    }
    // Each side's rows alone are over 20 MB. What reached the driver is task bookkeeping and
    // aggregates: the profiles, and per side scanned the bucket sums (65,536 buckets of three
    // longs, 1.5 MB, whatever the number of rows); four sides were scanned.
    assertThat(resultBytes.get()).isLessThan(8_000_000L);
  }

  @Test
  void canonicalFormsDecideEquality() {
    assertEqual("SELECT CAST('NaN' AS DOUBLE) AS x", "SELECT CAST('NaN' AS DOUBLE) AS x", true);
    assertEqual("SELECT CAST('NaN' AS DOUBLE) AS x", "SELECT 1.0D AS x", false);
    assertEqual("SELECT CAST(-0.0 AS FLOAT) AS x", "SELECT CAST(0.0 AS FLOAT) AS x", true);
    assertEqual("SELECT 'a' AS s", "SELECT 'a ' AS s", false);
    assertEqual("SELECT 'a' AS s", "SELECT 'A' AS s", false);
    assertEqual("SELECT array(1, 2) AS a", "SELECT array(2, 1) AS a", false);
    assertEqual("SELECT array(1, NULL) AS a", "SELECT array(NULL, 1) AS a", false);
    assertEqual("SELECT array(1) AS a", "SELECT array(1, NULL) AS a", false);
    assertEqual(
        "SELECT map('a', array(1), 'b', array(2)) AS m",
        "SELECT map('b', array(2), 'a', array(1)) AS m",
        true);
    assertEqual(
        "SELECT named_struct('p', 1, 'q', CAST(NULL AS INT)) AS s",
        "SELECT named_struct('p', CAST(NULL AS INT), 'q', 1) AS s",
        false);
    assertEqual(
        "SELECT CAST(1.50 AS DECIMAL(10,2)) AS d",
        "SELECT CAST(1.500 AS DECIMAL(12,3)) AS d",
        true);
    assertEqual(
        "SELECT CAST(1.50 AS DECIMAL(10,2)) AS d",
        "SELECT CAST(1.505 AS DECIMAL(12,3)) AS d",
        false);
    assertEqual("SELECT CAST(7 AS INT) AS n", "SELECT CAST(7 AS BIGINT) AS n", true);
    assertEqual("SELECT X'00' AS b", "SELECT X'0000' AS b", false);
  }

  private static void assertEqual(String oldSql, String newSql, boolean equal) {
    ComparisonResult result =
        DatasetComparison.of(spark().sql(oldSql), spark().sql(newSql)).execute();
    assertThat(result.contentMatch()).as(oldSql + " vs " + newSql).isEqualTo(equal);
  }

  private static java.math.BigDecimal dec(String value) {
    return new java.math.BigDecimal(value);
  }
}
