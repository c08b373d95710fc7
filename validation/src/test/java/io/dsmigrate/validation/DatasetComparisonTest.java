package io.dsmigrate.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.SparkTestBase;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class DatasetComparisonTest extends SparkTestBase {
  private static final String SCHEMA =
      "id INT, name STRING, amount DECIMAL(18,2), day DATE, at TIMESTAMP, score DOUBLE";

  private static Dataset<Row> base() {
    return rows(
        SCHEMA,
        row(
            1,
            "a",
            new BigDecimal("1.50"),
            Date.valueOf("2024-01-01"),
            ts("2024-01-01 10:00:00"),
            1.0),
        row(
            2,
            "b",
            new BigDecimal("2.50"),
            Date.valueOf("2024-01-02"),
            ts("2024-01-02 10:00:00"),
            2.0),
        row(3, null, null, null, null, null),
        row(3, null, null, null, null, null));
  }

  private static Timestamp ts(String text) {
    return Timestamp.valueOf(text);
  }

  @Test
  void equalRowsInAnotherOrderAndLayoutAreEqual() {
    Dataset<Row> shuffled =
        base().orderBy(org.apache.spark.sql.functions.col("id").desc()).repartition(3);
    ComparisonResult result = DatasetComparison.of(base(), shuffled).execute();
    assertThat(result.equal()).isTrue();
    assertThat(result.rowsOld()).isEqualTo(4);
    assertThat(result.rowsNew()).isEqualTo(4);
    assertThat(result.rowsMissing()).isZero();
    assertThat(result.rowsExtra()).isZero();
  }

  /**
   * The profile (nulls, min, max per column and side) comes out the same whichever way it is taken:
   * one aggregate without a key, per key bucket with one, or observed while rows are written.
   */
  @Test
  void theProfileGivesNullsMinAndMaxPerColumnOnEachSide() {
    Dataset<Row> now =
        base()
            .unionByName(
                rows(
                    SCHEMA,
                    row(
                        4,
                        "zz",
                        new BigDecimal("-7.25"),
                        Date.valueOf("2023-12-31"),
                        ts("2025-06-01 00:00:00"),
                        -3.5)));
    ObservedProfile observed = ObservedProfile.attach(base());
    observed.rows().write().format("noop").mode("overwrite").save();
    ComparisonResult plain = DatasetComparison.of(base(), now).execute();
    ComparisonResult keyed =
        DatasetComparison.of(base(), now).key(java.util.List.of("id")).execute();
    ComparisonResult known =
        DatasetComparison.of(base(), now).key(java.util.List.of("id")).knownOld(observed).execute();
    for (ComparisonResult result : java.util.List.of(plain, keyed, known)) {
      java.util.Map<String, String> profile = new java.util.LinkedHashMap<>();
      for (ColumnComparison column : result.columns()) {
        profile.put(
            column.name(),
            column.nullsOld()
                + " "
                + column.minOld()
                + ".."
                + column.maxOld()
                + " | "
                + column.nullsNew()
                + " "
                + column.minNew()
                + ".."
                + column.maxNew());
      }
      assertThat(profile)
          .containsExactly(
              java.util.Map.entry("id", "0 1..3 | 0 1..4"),
              java.util.Map.entry("name", "2 a..b | 2 a..zz"),
              java.util.Map.entry("amount", "2 1.50..2.50 | 2 -7.25..2.50"),
              java.util.Map.entry("day", "2 2024-01-01..2024-01-02 | 2 2023-12-31..2024-01-02"),
              java.util.Map.entry(
                  "at",
                  "2 2024-01-01 10:00:00..2024-01-02 10:00:00"
                      + " | 2 2024-01-01 10:00:00..2025-06-01 00:00:00"),
              java.util.Map.entry("score", "2 1.0..2.0 | 2 -3.5..2.0"));
      // The extra row adds a value to every column's multiset.
      assertThat(result.columns()).noneMatch(ColumnComparison::fingerprintMatch);
      assertThat(result.rowsExtra()).isEqualTo(1);
    }
  }

  @Test
  void changedCellIsOneMissingAndOneExtraRow() {
    Dataset<Row> changed =
        rows(
            SCHEMA,
            row(
                1,
                "a",
                new BigDecimal("1.51"),
                Date.valueOf("2024-01-01"),
                ts("2024-01-01 10:00:00"),
                1.0),
            row(
                2,
                "b",
                new BigDecimal("2.50"),
                Date.valueOf("2024-01-02"),
                ts("2024-01-02 10:00:00"),
                2.0),
            row(3, null, null, null, null, null),
            row(3, null, null, null, null, null));
    ComparisonResult result = DatasetComparison.of(base(), changed).execute();
    assertThat(result.contentMatch()).isFalse();
    assertThat(result.schemaMatch()).isTrue();
    assertThat(result.rowsMissing()).isEqualTo(1);
    assertThat(result.rowsExtra()).isEqualTo(1);
  }

  @Test
  void droppedDuplicateIsCountedAsMissing() {
    Dataset<Row> deduplicated = base().distinct();
    ComparisonResult result = DatasetComparison.of(base(), deduplicated).execute();
    assertThat(result.contentMatch()).isFalse();
    assertThat(result.rowsMissing()).isEqualTo(1);
    assertThat(result.rowsExtra()).isZero();
    assertThat(result.rowsNew()).isEqualTo(3);
  }

  @Test
  void nullMovedBetweenColumnsIsADifference() {
    Dataset<Row> left = rows("a STRING, b STRING", row("x", null), row(null, "y"));
    Dataset<Row> right = rows("a STRING, b STRING", row(null, "x"), row("y", null));
    ComparisonResult result = DatasetComparison.of(left, right).execute();
    assertThat(result.contentMatch()).isFalse();
    assertThat(result.rowsMissing()).isEqualTo(2);
    assertThat(result.rowsExtra()).isEqualTo(2);
  }

  @Test
  void nullIsNotEmptyStringNorTheWordNull() {
    Dataset<Row> left = rows("a STRING", row((Object) null), row(""), row("NULL"));
    Dataset<Row> right = rows("a STRING", row(""), row(""), row(""));
    ComparisonResult result = DatasetComparison.of(left, right).execute();
    assertThat(result.rowsMissing()).isEqualTo(2);
    assertThat(result.rowsExtra()).isEqualTo(2);
  }

  @Test
  void swappedDuplicatesDoNotCancelOut() {
    Dataset<Row> left = rows("a INT", row(1), row(1), row(2));
    Dataset<Row> right = rows("a INT", row(1), row(2), row(2));
    ComparisonResult result = DatasetComparison.of(left, right).execute();
    assertThat(result.contentMatch()).isFalse();
    assertThat(result.rowsMissing()).isEqualTo(1);
    assertThat(result.rowsExtra()).isEqualTo(1);
  }

  @Test
  void negativeZeroEqualsZeroAndMapOrderDoesNotMatter() {
    Dataset<Row> left = spark().sql("SELECT CAST(-0.0 AS DOUBLE) AS d, map('a', 1, 'b', 2) AS m");
    Dataset<Row> right = spark().sql("SELECT CAST(0.0 AS DOUBLE) AS d, map('b', 2, 'a', 1) AS m");
    assertThat(DatasetComparison.of(left, right).execute().equal()).isTrue();
  }

  @Test
  void schemaDifferencesAreNamedAndSharedColumnsStillCompared() {
    Dataset<Row> left = rows("id INT, name STRING, gone STRING", row(1, "a", "x"));
    Dataset<Row> right = rows("id BIGINT, name STRING, added STRING", row(1L, "a", "y"));
    ComparisonResult result = DatasetComparison.of(left, right).execute();
    assertThat(result.schemaMatch()).isFalse();
    assertThat(result.equal()).isFalse();
    assertThat(result.schemaDifferences())
        .containsExactlyInAnyOrder(
            "column 'id' is int in old but bigint in new",
            "column 'gone' is missing in new",
            "column 'added' is new");
    assertThat(result.contentMatch()).isTrue();
    assertThat(result.comparedColumns()).containsExactly("id", "name");
  }

  @Test
  void emptySidesCompareEqual() {
    Dataset<Row> empty = rows("id INT");
    ComparisonResult result = DatasetComparison.of(empty, empty).execute();
    assertThat(result.equal()).isTrue();
    assertThat(result.rowsOld()).isZero();
  }

  @Test
  void readsPathsAsDeltaOrParquet() {
    base().write().parquet(path("p"));
    base().write().format("delta").save(path("d"));
    assertThat(DatasetSource.formatOf(spark(), path("p"))).isEqualTo("parquet");
    assertThat(DatasetSource.formatOf(spark(), path("d"))).isEqualTo("delta");
    ComparisonResult result =
        DatasetComparison.of(
                DatasetSource.read(spark(), path("p")), DatasetSource.read(spark(), path("d")))
            .execute();
    assertThat(result.equal()).isTrue();
  }
}
