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
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What one scan of one side yields: the row count, the exact sums of the row fingerprints, and per
 * column the null count, min, max and the sums of the column's own hashes. Two sides with equal
 * profiles hold the same multiset of rows; columns whose hash sums differ are the columns that
 * differ, known without a key and without a second pass.
 */
record SideProfile(long rows, List<Long> fingerprint, List<ColumnStats> columns)
    implements java.io.Serializable {

  SideProfile {
    fingerprint = List.copyOf(fingerprint);
    columns = List.copyOf(columns);
  }

  /** One column's figures on one side. */
  record ColumnStats(String name, long nulls, String min, String max, List<Long> hash)
      implements java.io.Serializable {
    ColumnStats {
      hash = List.copyOf(hash);
    }
  }

  /** Profiles {@code rows} with one scan (see {@link #scan}), without bucket sums. */
  static SideProfile of(Dataset<Row> rows) {
    return scan(rows, List.of(), ProfileScan.NO_BUCKETS).profile();
  }

  /** A profile, and the per-bucket sums taken on the same scan (null when none were). */
  record Scanned(SideProfile profile, long[] buckets) {}

  /**
   * Profiles {@code rows} with one scan, summing rows per bucket on the way: per key bucket when
   * {@code key} is not empty (see {@link Differences#bucket}), else per bucket of the row's own
   * fingerprint (see {@link Differences#rowBucket}).
   */
  static Scanned scan(Dataset<Row> rows, List<String> key) {
    return scan(rows, key, ProfileScan.ROW_BUCKETS);
  }

  /**
   * Profiles {@code rows} with one scan (see {@link ProfileScan}). A side Spark reads as column
   * batches, whose columns are all of types the loop hashes itself, is scanned batch by batch;
   * otherwise Spark reads the rows (and hashes nested values) and the loop takes them row by row.
   * With a {@code key}, the same loop also sums rows per key bucket, else as {@code noBucket} says,
   * which the diff needs when the sides differ.
   */
  private static Scanned scan(Dataset<Row> rows, List<String> key, int noBucket) {
    Batches batches = BatchScan.batches(rows);
    if (batches != null) {
      ProfileScan.Totals totals =
          BatchScan.scan(batches, BatchScan.layout(rows.schema(), batches, key, noBucket));
      return new Scanned(profile(rows, totals), totals.buckets);
    }
    StructType schema = rows.schema();
    StructField[] fields = schema.fields();
    int n = fields.length;
    List<Column> first = Fingerprints.firstHashes(schema);
    List<Column> second = Fingerprints.secondHashes(schema);
    List<Column> projection = new ArrayList<>();
    int[] value = new int[n];
    int[] hash = new int[n];
    int[] secondAt = new int[n];
    int[] isNull = new int[n];
    boolean[] minMax = new boolean[n];
    DataType[] types = new DataType[n];
    for (int i = 0; i < n; i++) {
      types[i] = fields[i].dataType();
      Column column = Canonical.column(fields[i].name());
      value[i] = hash[i] = secondAt[i] = isNull[i] = -1;
      if (ProfileScan.hashedHere(types[i])) {
        value[i] = projection.size();
        projection.add(column.as("__dsm_v" + i));
        minMax[i] = Canonical.hasMinMax(types[i]);
      } else {
        hash[i] = projection.size();
        projection.add(first.get(i).as("__dsm_h" + i));
        secondAt[i] = projection.size();
        projection.add(second.get(i).as("__dsm_s" + i));
        isNull[i] = projection.size();
        projection.add(column.isNull().as("__dsm_n" + i));
      }
    }
    int bucketAt = noBucket;
    if (!key.isEmpty()) {
      bucketAt = projection.size();
      projection.add(Differences.bucket(schema, key).as("__dsm_bucket"));
    }
    ProfileScan.Totals totals =
        ProfileScan.scan(
            rows.select(projection.toArray(Column[]::new)),
            new ProfileScan.Layout(
                value, hash, secondAt, isNull, minMax, types, bucketAt, new int[0]));
    return new Scanned(profile(rows, totals), totals.buckets);
  }

  /** The profile from a scan's totals; min and max shown as Spark casts them to text. */
  private static SideProfile profile(Dataset<Row> rows, ProfileScan.Totals totals) {
    return profile(rows.schema().fields(), totals, text(rows, totals.min, totals.max));
  }

  /** The profile from a scan's totals, with min and max already cast to text. */
  static SideProfile profile(StructField[] fields, ProfileScan.Totals totals, String[][] text) {
    List<Long> fingerprint = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fingerprint.add(totals.sums[i]);
    }
    String[] min = text[0];
    String[] max = text[1];
    List<ColumnStats> columns = new ArrayList<>();
    for (int c = 0; c < fields.length; c++) {
      int at = 6 + 3 * c;
      columns.add(
          new ColumnStats(
              fields[c].name(),
              totals.nulls[c],
              min[c],
              max[c],
              List.of(totals.sums[at], totals.sums[at + 1], totals.sums[at + 2])));
    }
    return new SideProfile(totals.rows, fingerprint, columns);
  }

  /**
   * Spark's own text of each value (null for none), for each array of values: one local row cast to
   * strings on the driver, so the text is the same as that of the observed profile's aggregates.
   */
  private static String[][] text(Dataset<Row> rows, Object[]... values) {
    StructField[] fields = rows.schema().fields();
    List<StructField> present = new ArrayList<>();
    List<Object> external = new ArrayList<>();
    List<int[]> at = new ArrayList<>();
    for (int v = 0; v < values.length; v++) {
      for (int c = 0; c < fields.length; c++) {
        if (values[v][c] != null) {
          DataType type = fields[c].dataType();
          present.add(DataTypes.createStructField("v" + v + "_" + c, type, true));
          external.add(CatalystTypeConverters.convertToScala(values[v][c], type));
          at.add(new int[] {v, c});
        }
      }
    }
    String[][] text = new String[values.length][fields.length];
    if (present.isEmpty()) {
      return text;
    }
    Column[] casts = new Column[present.size()];
    for (int i = 0; i < casts.length; i++) {
      casts[i] = col(present.get(i).name()).cast("string");
    }
    Row row =
        rows.sparkSession()
            .createDataFrame(
                List.of(RowFactory.create(external.toArray())), DataTypes.createStructType(present))
            .select(casts)
            .first();
    for (int i = 0; i < casts.length; i++) {
      text[at.get(i)[0]][at.get(i)[1]] = row.isNullAt(i) ? null : row.getString(i);
    }
    return text;
  }

  /**
   * The same figures as aggregate expressions over the rows themselves, for {@link
   * Dataset#observe}: the rows being written during a migration are profiled while they are
   * written, which saves reading the source again. Read back with {@link #from}.
   */
  static List<Column> observed(StructType schema) {
    List<Column> first = Fingerprints.firstHashes(schema);
    List<Column> row = Fingerprints.row(schema, first, Fingerprints.secondHashes(schema));
    List<Column> out = new ArrayList<>();
    out.add(count(lit(1)).as("rows"));
    named(out, "high", Fingerprints.sums(row.get(0)));
    named(out, "low", Fingerprints.sums(row.get(1)));
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      Column value = Canonical.column(fields[i].name());
      out.add(count(when(value.isNull(), lit(1))).as("nulls_" + i));
      if (Canonical.hasMinMax(fields[i].dataType())) {
        out.add(min(value).cast("string").as("min_" + i));
        out.add(max(value).cast("string").as("max_" + i));
      }
      named(out, "hash_" + i, Fingerprints.sums(first.get(i)));
    }
    return out;
  }

  private static void named(List<Column> out, String prefix, List<Column> sums) {
    for (int i = 0; i < sums.size(); i++) {
      out.add(sums.get(i).as(prefix + "_" + i));
    }
  }

  /** {@code rows}, observed: the next action over them also computes {@code aggregates}. */
  static Dataset<Row> observe(Dataset<Row> rows, Observation observation, List<Column> aggregates) {
    return rows.observe(
        observation,
        aggregates.get(0),
        aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
  }

  /** Reads a profile from the observed figures (named as {@link #observed} names them). */
  static SideProfile from(Row totals, StructType schema) {
    Figures figures = new Figures(totals);
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

  /** Figures by name. */
  private record Figures(Row row) {
    long count(String name) {
      Object value = value(name);
      return value == null ? 0L : ((Number) value).longValue();
    }

    String text(String name) {
      Object value = value(name);
      return value == null ? null : value.toString();
    }

    private Object value(String name) {
      int at = List.of(row.schema().fieldNames()).indexOf(name);
      return at < 0 || row.isNullAt(at) ? null : row.get(at);
    }
  }

  /** Same rows as a multiset (same count and fingerprint sums). */
  boolean sameRows(SideProfile other) {
    return rows == other.rows && fingerprint.equals(other.fingerprint);
  }
}
