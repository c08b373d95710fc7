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
