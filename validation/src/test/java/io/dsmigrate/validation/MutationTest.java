package io.dsmigrate.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.SparkTestBase;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every supported type: datasets that differ in exactly one cell are found with exact counts,
 * equal datasets written in another order, partitioning and file count are reported equal, and a
 * side's profile is the same however it is read. {@link RowMutationTest} finds one duplicated row,
 * one missing row and one null moved to the other column in the same datasets (a class of its own,
 * so that the two run at once).
 *
 * <p>Each dataset has an {@code id} and two columns {@code v1}, {@code v2} of the type under test;
 * {@code value} gives distinct values for distinct ids and {@code other} a value that differs from
 * {@code value} for the same id.
 */
class MutationTest extends SparkTestBase {
  static final int ROWS = 20;
  static final int TOUCHED = 3;

  static Stream<Arguments> types() {
    return Stream.of(
        type("tinyint", "CAST(%s AS TINYINT)", "CAST(-%s - 1 AS TINYINT)"),
        type("smallint", "CAST(%s AS SMALLINT)", "CAST(-%s - 1 AS SMALLINT)"),
        type("int", "CAST(%s AS INT)", "CAST(-%s - 1 AS INT)"),
        type("bigint", "CAST(%s AS BIGINT) * 1000000007", "CAST(%s AS BIGINT) * 1000000007 + 1"),
        type("boolean", "%s % 2 = 0", "%s % 2 = 1"),
        type("float", "CAST(%s / 3 AS FLOAT)", "CAST(%s / 3 + 0.5 AS FLOAT)"),
        type("double", "%s / 7.0D", "%s / 7.0D + 1e-12D"),
        type(
            "decimal(10,2)",
            "CAST(%s / 4 AS DECIMAL(10,2))",
            "CAST(%s / 4 + 0.01 AS DECIMAL(10,2))"),
        type(
            "decimal(38,10)",
            "CAST(concat('1234567890123456789.', lpad(CAST(%s AS STRING), 10, '0')) AS DECIMAL(38,10))",
            "CAST(concat('1234567890123456789.', lpad(CAST(%s AS STRING), 9, '0'), '1') AS DECIMAL(38,10))"),
        type("string", "concat('s', %s)", "concat('s', %s, ' ')"),
        type("binary", "CAST(concat('b', %s) AS BINARY)", "CAST(concat('B', %s) AS BINARY)"),
        type(
            "date",
            "date_add(DATE'2024-01-01', CAST(%s AS INT))",
            "date_add(DATE'1970-01-01', CAST(%s AS INT))"),
        type(
            "timestamp",
            "timestamp_micros(1700000000000000 + %s)",
            "timestamp_micros(1700000000000000 + %s + 1)"),
        type(
            "timestamp_ntz",
            "CAST(timestamp_micros(1700000000000000 + %s) AS TIMESTAMP_NTZ)",
            "CAST(timestamp_micros(1700000000000000 + %s + 1) AS TIMESTAMP_NTZ)"),
        type("array<int>", "array(CAST(%s AS INT), NULL, 7)", "array(CAST(%s AS INT), 7, NULL)"),
        type("array<string>", "array(concat('a', %s), '')", "array(concat('a', %s), NULL)"),
        type(
            "map<string,int>",
            "map('a', CAST(%s AS INT), 'b', NULL)",
            "map('a', CAST(%s AS INT), 'b', 0)"),
        type(
            "struct<a:int,b:string>",
            "named_struct('a', CAST(%s AS INT), 'b', CAST(NULL AS STRING))",
            "named_struct('a', CAST(%s AS INT), 'b', 'NULL')"),
        type(
            "array<struct<x:double,y:string>>",
            "array(named_struct('x', %s / 2.0D, 'y', concat('y', %s)))",
            "array(named_struct('x', -%s / 2.0D - 1, 'y', concat('y', %s)))"),
        type(
            "map<string,array<int>>",
            "map('k', array(CAST(%s AS INT)), 'l', array())",
            "map('k', array(CAST(%s AS INT)), 'l', array(0))"));
  }

  private static Arguments type(String name, String value, String other) {
    return Arguments.of(name, value, other);
  }

  private static String at(String template, String id) {
    return template.replace("%s", "(" + id + ")");
  }

  /** id, v1 (null for ids 0, 5, 10, ... and for TOUCHED), v2 (null for ids 1, 6, 11, ...). */
  static Dataset<Row> base(String value) {
    return spark()
        .range(ROWS)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CASE WHEN id % 5 = 0 OR id = "
                + TOUCHED
                + " THEN NULL ELSE "
                + at(value, "id")
                + " END AS v1",
            "CASE WHEN id % 5 = 1 THEN NULL ELSE " + at(value, "id") + " END AS v2");
  }

  /** The base rows with {@code column} of row {@code id} set to the other value. */
  private static Dataset<Row> changedAt(String value, String other, int id, String column) {
    List<String> columns = new java.util.ArrayList<>(List.of("id", "v1", "v2"));
    columns.set(
        columns.indexOf(column),
        "CASE WHEN id = "
            + id
            + " THEN "
            + at(other, "id")
            + " ELSE "
            + column
            + " END AS "
            + column);
    return base(value).selectExpr(columns.toArray(String[]::new));
  }

  static ComparisonResult compare(Dataset<Row> old, Dataset<Row> now) {
    return DatasetComparison.of(old, now).execute();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void oneChangedCellIsFoundAndAttributedToItsColumn(String type, String value, String other) {
    Dataset<Row> changed = changedAt(value, other, TOUCHED, "v2");
    assertThat(changed.where("id = " + TOUCHED + " AND v2 IS NOT NULL").count()).isEqualTo(1);

    ComparisonResult keyless = compare(base(value), changed);
    assertThat(keyless.contentMatch()).as(type).isFalse();
    assertThat(keyless.rowsMissing()).as(type).isEqualTo(1);
    assertThat(keyless.rowsExtra()).as(type).isEqualTo(1);
    assertThat(keyless.columnsDiffering()).as(type).containsExactly("v2");

    ComparisonResult keyed =
        DatasetComparison.of(base(value), changed).key(List.of("id")).execute();
    assertThat(keyed.rowsChanged()).as(type).isEqualTo(1);
    assertThat(keyed.keysOnlyOld()).isZero();
    assertThat(keyed.keysOnlyNew()).isZero();
    assertThat(keyed.duplicateKeys()).isZero();
    assertThat(keyed.columnsDiffering()).as(type).containsExactly("v2");
  }

  /**
   * The profile of a side is read by a plain loop that hashes flat values itself; in a migration
   * the source side's profile is instead observed by Spark aggregates while its rows are written.
   * Both must give the same figures, to the last bit, or validation would read the source again.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void theScannedProfileEqualsTheOneObservedDuringAWrite(String type, String value, String other) {
    Dataset<Row> rows =
        base(value)
            .unionByName(
                base(other).selectExpr("id + " + ROWS + " AS id", "v1", "v2").where("id % 3 = 0"));
    assertSameProfile(rows, type);
  }

  /**
   * A side read from Parquet or Delta is scanned as Spark's column batches, one column at a time
   * (flat types only); the profile and the key bucket sums must be the same as from rows, to the
   * last bit, or two sides read the two ways would differ, or their differences be looked for in
   * the wrong buckets.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void aSideReadAsColumnBatchesGivesTheSameProfileAndBuckets(
      String type, String value, String other) {
    Dataset<Row> rows =
        base(value)
            .unionByName(
                base(other).selectExpr("id + " + ROWS + " AS id", "v1", "v2").where("id % 3 = 0"));
    Dataset<Row> batched = batched(rows, "batched");
    assertSameScans(rows, batched, type);
  }

  /** {@code rows} written to Parquet and read back; read as batches when all columns are flat. */
  private Dataset<Row> batched(Dataset<Row> rows, String name) {
    rows.repartition(2).write().parquet(path(name));
    Dataset<Row> read = spark().read().parquet(path(name));
    boolean flat =
        java.util.Arrays.stream(rows.schema().fields())
            .allMatch(field -> ProfileScan.hashedHere(field.dataType()));
    if (flat) {
      assertThat(Batches.of(read)).as("read as column batches").isNotNull();
    }
    assertThat(Batches.of(rows)).as("in-memory rows are not batches").isNull();
    return read;
  }

  /** The same profile, and the same bucket sums keyed by each column and unkeyed, both ways. */
  private static void assertSameScans(Dataset<Row> rows, Dataset<Row> batched, String what) {
    assertThat(SideProfile.of(batched)).as(what).isEqualTo(SideProfile.of(rows));
    for (String column : rows.columns()) {
      List<String> key = List.of(column, "id");
      assertThat(bucketsApart(SideProfile.scan(rows, key), SideProfile.scan(batched, key)))
          .as(what + ": buckets whose sums differ, keyed by " + column)
          .isEmpty();
    }
    assertThat(
            bucketsApart(SideProfile.scan(rows, List.of()), SideProfile.scan(batched, List.of())))
        .as(what + ": buckets by row fingerprint whose sums differ")
        .isEmpty();
  }

  private static List<Integer> bucketsApart(SideProfile.Scanned one, SideProfile.Scanned other) {
    List<Integer> apart = new java.util.ArrayList<>();
    for (int i = 0; i < one.buckets().length; i++) {
      if (one.buckets()[i] != other.buckets()[i]) {
        apart.add(i / 3);
      }
    }
    return apart;
  }

  @org.junit.jupiter.api.Test
  void specialValuesGiveTheSameProfileScannedAndObserved() {
    Dataset<Row> rows =
        spark()
            .sql(
                "SELECT * FROM VALUES"
                    + " (1, CAST('NaN' AS DOUBLE), CAST('NaN' AS FLOAT), '', X'',"
                    + "  CAST('-12345678901234567890123456789012345678' AS DECIMAL(38,0)),"
                    + "  TIMESTAMP'1901-12-13 20:45:52', -32768S, -128Y),"
                    + " (2, -0.0D, CAST(-0.0 AS FLOAT), 'é漢字', X'00FF', 0BD,"
                    + "  TIMESTAMP'2262-04-11 23:47:16', 32767S, 127Y),"
                    + " (3, CAST('Infinity' AS DOUBLE), CAST('-Infinity' AS FLOAT), ' ', X'FF',"
                    + "  1BD, TIMESTAMP'1970-01-01 00:00:00', 0S, 0Y),"
                    + " (4, CAST('-Infinity' AS DOUBLE), CAST(1.5 AS FLOAT), NULL, NULL, NULL,"
                    + "  NULL, NULL, NULL)"
                    + " AS t(id, d, f, s, b, big, ts, sm, ti)");
    assertSameProfile(rows, "special values");
    assertSameScans(rows, batched(rows, "special"), "special values");

    // Keyed by the special values (NaN, -0.0, '', empty binary, extremes, nulls): each key must be
    // found in its bucket and paired with itself, so every row whose v changed is one changed key.
    ComparisonResult keyed =
        DatasetComparison.of(rows.selectExpr("*", "id AS v"), rows.selectExpr("*", "-id AS v"))
            .key(List.of("d", "f", "s", "b", "big", "ts", "sm", "ti"))
            .execute();
    assertThat(keyed.rowsChanged()).isEqualTo(4);
    assertThat(keyed.columnsDiffering()).containsExactly("v");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void aKeyOfEveryTypeFindsItsChangedRow(String type, String value, String other) {
    // Keyed by (v2, id): v2 of the type under test, null in some rows. The changed row must be
    // found in its key's bucket and paired by its key, whatever the key's type, and whether the
    // sides are read as rows or as column batches.
    Dataset<Row> changed = changedAt(value, other, 7, "v1");
    for (Dataset<Row> old : List.of(base(value), batched(base(value), "old"))) {
      ComparisonResult keyed =
          DatasetComparison.of(old, changed).key(List.of("v2", "id")).execute();
      assertThat(keyed.rowsChanged()).as(type).isEqualTo(1);
      assertThat(keyed.columnsDiffering()).as(type).containsExactly("v1");
      assertThat(keyed.keysOnlyOld()).as(type).isZero();
      assertThat(keyed.rowsMissing()).as(type).isEqualTo(1);
    }
  }

  private static void assertSameProfile(Dataset<Row> rows, String what) {
    ObservedProfile observed = ObservedProfile.attach(rows);
    observed.rows().write().format("noop").mode("overwrite").save();
    SideProfile viaSpark = observed.profileFor(rows.schema()).orElseThrow();
    SideProfile scanned = SideProfile.of(rows);
    assertThat(scanned.rows()).isEqualTo(viaSpark.rows()).isPositive();
    assertThat(scanned.columns()).as(what).isEqualTo(viaSpark.columns());
    assertThat(scanned).as(what).isEqualTo(viaSpark);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void equalRowsInAnotherOrderPartitioningAndFileCountAreEqual(
      String type, String value, String other) {
    base(value)
        .orderBy(org.apache.spark.sql.functions.col("id").desc())
        .repartition(3)
        .write()
        .parquet(path("three_files"));
    Dataset<Row> three = spark().read().parquet(path("three_files"));
    assertThat(three.inputFiles()).hasSize(3);
    Dataset<Row> one = base(value).coalesce(1).orderBy(org.apache.spark.sql.functions.rand(7));

    ComparisonResult result = compare(base(value), three);
    assertThat(result.equal()).as(type + ": " + result.summary()).isTrue();
    assertThat(result.rowsOld()).isEqualTo(ROWS);
    assertThat(result.columnsDiffering()).isEmpty();
    ComparisonResult keyed = DatasetComparison.of(three, one).key(List.of("id")).execute();
    assertThat(keyed.equal()).as(type).isTrue();
    assertThat(keyed.rowsChanged()).isZero();
    assertThat(keyed.duplicateKeys()).isZero();
  }
}
