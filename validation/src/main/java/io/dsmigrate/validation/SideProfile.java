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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

  /** Profiles {@code rows} with one aggregate job (hashes are computed once per row). */
  static SideProfile of(Dataset<Row> rows) {
    StructType schema = rows.schema();
    StructField[] fields = schema.fields();
    // Hash each value twice (once per seed) in a first projection; the row fingerprint chains
    // those hashes in a second one.
    List<Column> hashing = new ArrayList<>();
    List<Column> first = Fingerprints.firstHashes(schema);
    List<Column> firstRefs = new ArrayList<>();
    List<Column> secondRefs = new ArrayList<>();
    List<Column> second = Fingerprints.secondHashes(schema);
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
    List<Column> aggregates =
        aggregates(
            schema,
            col(Fingerprints.HIGH),
            col(Fingerprints.LOW),
            i -> col(hashName(i)),
            i -> col(nullName(i)),
            i -> col(valueName(i)));
    Row totals =
        rows.select(hashing.toArray(Column[]::new))
            .select(projection.toArray(Column[]::new))
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .first();
    return from(totals, schema);
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
    return aggregates(
        schema,
        row.get(0),
        row.get(1),
        first::get,
        i -> Canonical.column(fields[i].name()).isNull(),
        i -> Canonical.column(fields[i].name()));
  }

  private static List<Column> aggregates(
      StructType schema,
      Column high,
      Column low,
      java.util.function.IntFunction<Column> hash,
      java.util.function.IntFunction<Column> isNull,
      java.util.function.IntFunction<Column> value) {
    List<Column> out = new ArrayList<>();
    out.add(count(lit(1)).as("rows"));
    out.addAll(named(Fingerprints.sums(high), "high"));
    out.addAll(named(Fingerprints.sums(low), "low"));
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      out.add(count(when(isNull.apply(i), lit(1))).as("nulls_" + i));
      if (Canonical.hasMinMax(fields[i].dataType())) {
        out.add(min(value.apply(i)).cast("string").as("min_" + i));
        out.add(max(value.apply(i)).cast("string").as("max_" + i));
      }
      out.addAll(named(Fingerprints.sums(hash.apply(i)), "hash_" + i));
    }
    return out;
  }

  static SideProfile from(Row totals, StructType schema) {
    int at = 0;
    long rows = totals.getLong(at++);
    List<Long> fingerprint = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fingerprint.add(totals.isNullAt(at) ? 0L : totals.getLong(at));
      at++;
    }
    List<ColumnStats> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      long nulls = totals.getLong(at++);
      String minimum = null;
      String maximum = null;
      if (Canonical.hasMinMax(field.dataType())) {
        minimum = totals.isNullAt(at) ? null : totals.getString(at);
        at++;
        maximum = totals.isNullAt(at) ? null : totals.getString(at);
        at++;
      }
      Long[] hash = new Long[3];
      for (int i = 0; i < 3; i++) {
        hash[i] = totals.isNullAt(at) ? 0L : totals.getLong(at);
        at++;
      }
      columns.add(new ColumnStats(field.name(), nulls, minimum, maximum, Arrays.asList(hash)));
    }
    return new SideProfile(rows, fingerprint, columns);
  }

  /** Same rows as a multiset (same count and fingerprint sums). */
  boolean sameRows(SideProfile other) {
    return rows == other.rows && fingerprint.equals(other.fingerprint);
  }

  private static List<Column> named(List<Column> columns, String prefix) {
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      out.add(columns.get(i).as(prefix + "_" + i));
    }
    return out;
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
