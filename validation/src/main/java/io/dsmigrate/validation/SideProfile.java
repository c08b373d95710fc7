package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What one scan of one side yields: the row count, the exact sums of the row fingerprints, and per
 * column the null count, min, max and the sums of the column's own hashes. Two sides with equal
 * profiles hold the same multiset of rows; columns whose hash sums differ are the columns that
 * differ, known without a key and without a second pass.
 */
record SideProfile(long rows, List<Long> fingerprint, List<ColumnStats> columns) {

  SideProfile {
    fingerprint = List.copyOf(fingerprint);
    columns = List.copyOf(columns);
  }

  /** One column's figures on one side. */
  record ColumnStats(String name, long nulls, String min, String max, List<Long> hash) {
    ColumnStats {
      hash = List.copyOf(hash);
    }
  }

  /**
   * Profiles {@code rows} with one aggregate job: one scan, hashes computed once per row.
   *
   * <p>Every figure whose aggregation buffer has a fixed width (counts, sums, and the min/max of
   * numbers, dates and timestamps) is computed by one aggregate that Spark compiles to code. The
   * min/max of strings are observed on the same scan ({@link Dataset#observe}) instead: a single
   * string buffer would make Spark run the whole aggregate uncompiled, several times slower.
   */
  static SideProfile of(Dataset<Row> rows) {
    StructType schema = rows.schema();
    List<Column> stringMinMax = stringMinMax(schema);
    Observation strings =
        stringMinMax.isEmpty() ? null : new Observation("dsmigrate_strings_" + System.nanoTime());
    List<Column> aggregates = new ArrayList<>();
    for (Figure figure : figures(schema)) {
      aggregates.add(figure.whole());
    }
    Row totals =
        hashed(strings == null ? rows : observe(rows, strings, stringMinMax))
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .first();
    // getRow waits for the observed figures of the action that just ran.
    return from(totals, strings == null ? null : strings.getRow(), schema);
  }

  /**
   * The same figures as aggregate expressions over the rows themselves, for {@link
   * Dataset#observe}: the rows being written during a migration are profiled while they are
   * written, which saves reading the source again.
   */
  static List<Column> observed(StructType schema) {
    List<Column> first = Fingerprints.firstHashes(schema);
    List<Column> row = Fingerprints.row(schema, first, Fingerprints.secondHashes(schema));
    StructField[] fields = schema.fields();
    List<Column> out = new ArrayList<>();
    for (Figure figure :
        figures(
            schema,
            row.get(0),
            row.get(1),
            first::get,
            i -> Canonical.column(fields[i].name()).isNull(),
            i -> Canonical.column(fields[i].name()),
            true)) {
      out.add(figure.whole());
    }
    return out;
  }

  /** One figure of a profile: its name, its aggregate, and whether it is shown as text. */
  private record Figure(String name, Column aggregate, boolean text) {
    Column whole() {
      return (text ? aggregate.cast("string") : aggregate).as(name);
    }
  }

  private static List<Figure> figures(StructType schema) {
    return figures(
        schema,
        col(Fingerprints.HIGH),
        col(Fingerprints.LOW),
        i -> col(hashName(i)),
        i -> col(nullName(i)),
        i -> col(valueName(i)),
        false);
  }

  /**
   * The figures in order: row count, the two fingerprint halves' partial sums, then per column
   * nulls, min and max (of orderable types; those of strings only when {@code strings}, see {@link
   * #of}), and the partial sums of the column's hash.
   */
  private static List<Figure> figures(
      StructType schema,
      Column high,
      Column low,
      IntFunction<Column> hash,
      IntFunction<Column> isNull,
      IntFunction<Column> value,
      boolean strings) {
    List<Figure> out = new ArrayList<>();
    out.add(number("rows", count(lit(1))));
    number(out, "high", Fingerprints.sums(high));
    number(out, "low", Fingerprints.sums(low));
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      out.add(number("nulls_" + i, count(when(isNull.apply(i), lit(1)))));
      DataType type = fields[i].dataType();
      if (Canonical.hasMinMax(type) && (strings || !minMaxObservedApart(type))) {
        out.add(new Figure("min_" + i, min(value.apply(i)), true));
        out.add(new Figure("max_" + i, max(value.apply(i)), true));
      }
      number(out, "hash_" + i, Fingerprints.sums(hash.apply(i)));
    }
    return out;
  }

  private static Figure number(String name, Column aggregate) {
    return new Figure(name, aggregate, false);
  }

  private static void number(List<Figure> out, String prefix, List<Column> sums) {
    for (int i = 0; i < sums.size(); i++) {
      out.add(number(prefix + "_" + i, sums.get(i)));
    }
  }

  /** The min/max of the columns that the main aggregate leaves out (see {@link #of}). */
  private static List<Column> stringMinMax(StructType schema) {
    List<Column> aggregates = new ArrayList<>();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      if (minMaxObservedApart(fields[i].dataType())) {
        Column value = Canonical.column(fields[i].name());
        aggregates.add(new Figure("min_" + i, min(value), true).whole());
        aggregates.add(new Figure("max_" + i, max(value), true).whole());
      }
    }
    return aggregates;
  }

  /** Min/max of a type whose buffer has no fixed width, which Spark would not compile. */
  private static boolean minMaxObservedApart(DataType type) {
    return Canonical.hasMinMax(type) && !UnsafeRow.isMutable(type);
  }

  /** {@code rows}, observed: the next action over them also computes {@code aggregates}. */
  static Dataset<Row> observe(Dataset<Row> rows, Observation observation, List<Column> aggregates) {
    return rows.observe(
        observation,
        aggregates.get(0),
        aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
  }

  /**
   * The rows with, per column i, its canonical value, its first hash and null flag, and the row's
   * two fingerprint halves. Each value is hashed twice (once per seed) in a first projection; the
   * row fingerprint chains those hashes in a second one.
   */
  private static Dataset<Row> hashed(Dataset<Row> rows) {
    StructType schema = rows.schema();
    StructField[] fields = schema.fields();
    List<Column> hashing = new ArrayList<>();
    List<Column> first = Fingerprints.firstHashes(schema);
    List<Column> second = Fingerprints.secondHashes(schema);
    List<Column> firstRefs = new ArrayList<>();
    List<Column> secondRefs = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      hashing.add(first.get(i).as(hashName(i)));
      hashing.add(second.get(i).as("__dsm_s" + i));
      firstRefs.add(col(hashName(i)));
      secondRefs.add(col("__dsm_s" + i));
      hashing.add(Canonical.column(fields[i].name()).as(valueName(i)));
    }
    List<Column> projection = new ArrayList<>(Fingerprints.row(schema, firstRefs, secondRefs));
    for (int i = 0; i < fields.length; i++) {
      Column value = col(valueName(i));
      projection.add(col(hashName(i)));
      projection.add(value.isNull().as(nullName(i)));
      if (Canonical.hasMinMax(fields[i].dataType())) {
        projection.add(value.as(valueName(i)));
      }
    }
    return rows.select(hashing.toArray(Column[]::new)).select(projection.toArray(Column[]::new));
  }

  /** Reads a profile from figures named as {@link #figures} names them, in one or two rows. */
  static SideProfile from(Row totals, StructType schema) {
    return from(totals, null, schema);
  }

  private static SideProfile from(Row totals, Row more, StructType schema) {
    Figures figures = new Figures(totals, more);
    long rows = figures.count("rows");
    List<Long> fingerprint = new ArrayList<>();
    for (String half : List.of("high", "low")) {
      for (int i = 0; i < 3; i++) {
        fingerprint.add(figures.count(half + "_" + i));
      }
    }
    List<ColumnStats> columns = new ArrayList<>();
    StructField[] fields = schema.fields();
    for (int c = 0; c < fields.length; c++) {
      Long[] hash = new Long[3];
      for (int i = 0; i < 3; i++) {
        hash[i] = figures.count("hash_" + c + "_" + i);
      }
      columns.add(
          new ColumnStats(
              fields[c].name(),
              figures.count("nulls_" + c),
              figures.text("min_" + c),
              figures.text("max_" + c),
              Arrays.asList(hash)));
    }
    return new SideProfile(rows, fingerprint, columns);
  }

  /** Figures by name, from the aggregate's row or the observed one. */
  private record Figures(Row totals, Row more) {
    long count(String name) {
      Object value = value(name);
      return value == null ? 0L : ((Number) value).longValue();
    }

    String text(String name) {
      Object value = value(name);
      return value == null ? null : value.toString();
    }

    private Object value(String name) {
      for (Row row : new Row[] {totals, more}) {
        if (row != null) {
          int at = List.of(row.schema().fieldNames()).indexOf(name);
          if (at >= 0) {
            return row.isNullAt(at) ? null : row.get(at);
          }
        }
      }
      return null;
    }
  }

  /** Same rows as a multiset (same count and fingerprint sums). */
  boolean sameRows(SideProfile other) {
    return rows == other.rows && fingerprint.equals(other.fingerprint);
  }

  private static String hashName(int i) {
    return "__dsm_h" + i;
  }

  private static String nullName(int i) {
    return "__dsm_n" + i;
  }

  private static String valueName(int i) {
    return "__dsm_v" + i;
  }
}
