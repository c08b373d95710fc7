package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * The keyed diff of two sets of rows (both sides whole, or only the rows of the key buckets whose
 * sums differ): one query brings the rows of each key together (a shuffle by a 128-bit hash of the
 * key, sorted within each task), and a plain loop per task then walks the keys one by one. Per key
 * it compares the rows of both sides as multisets (so a duplicate key never multiplies rows), tells
 * keys only in old, only in new, changed and duplicated apart, names the columns that differ in a
 * changed row (beyond tolerances) and keeps up to N sample rows of each kind. One Spark job; what
 * reaches the driver is the counts and the samples.
 */
final class KeyedDiff {
  private KeyedDiff() {}

  /**
   * Where each input sits in the rows the loop reads: {@code columns} values, then their first and
   * second hashes, then the tolerant columns as doubles (column c's slot is {@code slot[c]}, -1 for
   * none, with its tolerance at {@code tolerances[slot[c]]}), then the side, the key hash and the
   * row's fingerprint; and how many samples of each kind to keep.
   */
  record Layout(int columns, int[] slot, Tolerance[] tolerances, int samples)
      implements Serializable {
    int first(int c) {
      return columns + c;
    }

    int second(int c) {
      return 2 * columns + c;
    }

    int side() {
      return 3 * columns + tolerances.length;
    }

    int keyHigh() {
      return side() + 1;
    }

    int keyLow() {
      return side() + 2;
    }

    int high() {
      return side() + 3;
    }

    int low() {
      return side() + 4;
    }
  }

  /** A changed row kept as a sample: its old and new rows, and which columns differ. */
  record Changed(InternalRow old, InternalRow now, boolean[] differs) implements Serializable {}

  /** What one task (or, merged, the whole diff) found. */
  static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    long missing;
    long extra;
    long changedKeys;
    long onlyOld;
    long onlyNew;
    long duplicateKeys;
    long withinTolerance;
    final long[] columnCounts;
    final List<Changed> changed = new ArrayList<>();
    final List<InternalRow> missingRows = new ArrayList<>();
    final List<InternalRow> extraRows = new ArrayList<>();

    Result(int columns) {
      columnCounts = new long[columns];
    }

    void add(Result other, int samples) {
      missing += other.missing;
      extra += other.extra;
      changedKeys += other.changedKeys;
      onlyOld += other.onlyOld;
      onlyNew += other.onlyNew;
      duplicateKeys += other.duplicateKeys;
      withinTolerance += other.withinTolerance;
      for (int c = 0; c < columnCounts.length; c++) {
        columnCounts[c] += other.columnCounts[c];
      }
      addUpTo(changed, other.changed, samples);
      addUpTo(missingRows, other.missingRows, samples);
      addUpTo(extraRows, other.extraRows, samples);
    }
  }

  /**
   * Diffs {@code oldRows} and {@code newRows} (same aligned schema) key by key, by the key,
   * tolerances and samples of {@code how}. Samples of changed rows, of rows of keys only in old and
   * of keys only in new, up to N of each, go to its sink.
   */
  static Differences.Found diff(Dataset<Row> oldRows, Dataset<Row> newRows, Differences how) {
    List<String> key = how.key;
    Map<String, Tolerance> tolerances = how.tolerances;
    int samples = how.samples;
    StructType schema = oldRows.schema();
    StructField[] fields = schema.fields();
    int n = fields.length;
    List<Integer> tolerant = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      if (tolerances.containsKey(fields[c].name())) {
        tolerant.add(c);
      }
    }
    int[] slot = new int[n];
    Tolerance[] slots = new Tolerance[tolerant.size()];
    java.util.Arrays.fill(slot, -1);
    for (int t = 0; t < tolerant.size(); t++) {
      slot[tolerant.get(t)] = t;
      slots[t] = tolerances.get(fields[tolerant.get(t)].name());
    }
    Layout layout = new Layout(n, slot, slots, samples);
    List<Column> keyHash = Fingerprints.key(schema, key);
    Dataset<Row> rows =
        laidOut(oldRows, 0, tolerant, keyHash)
            .unionByName(laidOut(newRows, 1, tolerant, keyHash))
            .repartition(col("__dsm_kh"), col("__dsm_kl"))
            .sortWithinPartitions(
                "__dsm_kh", "__dsm_kl", Fingerprints.HIGH, Fingerprints.LOW, "__dsm_side");
    Result found = new Result(n);
    for (Result part :
        rows.queryExecution().toRdd().toJavaRDD().mapPartitions(new Task(layout)).collect()) {
      found.add(part, samples);
    }
    long written = samples == 0 ? 0 : write(found, oldRows, key, how.sink);
    Map<String, Long> columnCounts = new LinkedHashMap<>();
    for (int c = 0; c < n; c++) {
      columnCounts.put(fields[c].name(), found.columnCounts[c]);
    }
    long within = found.withinTolerance;
    return new Differences.Found(
        found.missing - within,
        found.extra - within,
        found.changedKeys - within,
        found.onlyOld,
        found.onlyNew,
        found.duplicateKeys,
        within,
        columnCounts,
        written);
  }

  /**
   * The rows as the loop reads them: the values, each column's two hashes (see {@link
   * Fingerprints}), the tolerant columns as doubles, the side, the key's 128-bit hash and the row's
   * fingerprint.
   */
  private static Dataset<Row> laidOut(
      Dataset<Row> rows, int side, List<Integer> tolerant, List<Column> keyHash) {
    StructType schema = rows.schema();
    StructField[] fields = schema.fields();
    List<Column> columns = new ArrayList<>();
    for (int c = 0; c < fields.length; c++) {
      columns.add(Canonical.column(fields[c].name()).as("__dsm_c" + c));
    }
    List<Column> first = Fingerprints.firstHashes(schema);
    List<Column> second = Fingerprints.secondHashes(schema);
    for (int c = 0; c < fields.length; c++) {
      columns.add(first.get(c).as("__dsm_h" + c));
    }
    for (int c = 0; c < fields.length; c++) {
      columns.add(second.get(c).as("__dsm_s" + c));
    }
    for (int t = 0; t < tolerant.size(); t++) {
      String name = fields[tolerant.get(t)].name();
      columns.add(Canonical.column(name).cast(DataTypes.DoubleType).as("__dsm_t" + t));
    }
    columns.add(lit(side).as("__dsm_side"));
    columns.add(keyHash.get(0).as("__dsm_kh"));
    columns.add(keyHash.get(1).as("__dsm_kl"));
    Dataset<Row> laidOut = rows.select(columns.toArray(Column[]::new));
    // The fingerprint from the hashes just taken, not from the values again.
    List<Column> firstAt = new ArrayList<>();
    List<Column> secondAt = new ArrayList<>();
    for (int c = 0; c < fields.length; c++) {
      firstAt.add(col("__dsm_h" + c));
      secondAt.add(col("__dsm_s" + c));
    }
    List<Column> all = new ArrayList<>();
    for (String name : laidOut.columns()) {
      all.add(col(name));
    }
    all.addAll(Fingerprints.row(schema, firstAt, secondAt));
    return laidOut.select(all.toArray(Column[]::new));
  }

  /**
   * Walks one task's rows, sorted by key, then fingerprint, then side: a key at a time, and within
   * it a run of equal rows at a time, so a key repeated any number of times needs no more memory
   * than the first row of each side and the samples kept.
   */
  private record Task(Layout layout) implements FlatMapFunction<Iterator<InternalRow>, Result> {
    @Override
    public Iterator<Result> call(Iterator<InternalRow> rows) {
      Walk walk = new Walk(layout);
      while (rows.hasNext()) {
        walk.next(rows.next());
      }
      walk.endKey();
      return List.of(walk.result).iterator();
    }
  }

  /** The state of a walk over one task's sorted rows. */
  private static final class Walk {
    private final Layout layout;
    private final Result result;
    private final int keep;
    private boolean started;
    private long keyHigh;
    private long keyLow;
    private long high;
    private long low;
    private long oldRows;
    private long newRows;
    private long runOld;
    private long runNew;
    private long missing;
    private long extra;
    private InternalRow firstOld;
    private InternalRow firstNew;
    private final List<InternalRow> kept = new ArrayList<>();

    Walk(Layout layout) {
      this.layout = layout;
      this.result = new Result(layout.columns());
      this.keep = layout.samples();
    }

    void next(InternalRow row) {
      long kh = row.getLong(layout.keyHigh());
      long kl = row.getLong(layout.keyLow());
      long fh = row.getLong(layout.high());
      long fl = row.getLong(layout.low());
      if (!started || kh != keyHigh || kl != keyLow) {
        endKey();
        started = true;
        keyHigh = kh;
        keyLow = kl;
        high = fh;
        low = fl;
      } else if (fh != high || fl != low) {
        endRun();
        high = fh;
        low = fl;
      }
      // The sort reuses its row object: what is kept is a copy.
      InternalRow copy = null;
      if (row.getInt(layout.side()) == 0) {
        oldRows++;
        runOld++;
        if (firstOld == null) {
          firstOld = copy = row.copy();
        }
      } else {
        newRows++;
        runNew++;
        if (firstNew == null) {
          firstNew = copy = row.copy();
        }
      }
      if (kept.size() < keep) {
        kept.add(copy == null ? row.copy() : copy);
      }
    }

    /** Rows equal by fingerprint: what old has more of is missing, what new has more of extra. */
    private void endRun() {
      missing += Math.max(runOld - runNew, 0);
      extra += Math.max(runNew - runOld, 0);
      runOld = runNew = 0;
    }

    void endKey() {
      if (!started) {
        return;
      }
      endRun();
      if (missing > 0 || extra > 0) {
        // Rows that are the same on both sides, repeated or not, are no difference.
        differing();
      }
      oldRows = newRows = missing = extra = 0;
      firstOld = firstNew = null;
      kept.clear();
    }

    private void differing() {
      result.missing += missing;
      result.extra += extra;
      if (newRows == 0) {
        result.onlyOld++;
        addUpTo(result.missingRows, kept, keep);
      } else if (oldRows == 0) {
        result.onlyNew++;
        addUpTo(result.extraRows, kept, keep);
      }
      if (oldRows > 1 || newRows > 1) {
        result.duplicateKeys++;
      } else if (oldRows == 1 && newRows == 1) {
        result.changedKeys++;
        boolean[] differs = new boolean[layout.columns()];
        boolean any = false;
        for (int c = 0; c < differs.length; c++) {
          differs[c] = differs(firstOld, firstNew, c);
          if (differs[c]) {
            result.columnCounts[c]++;
            any = true;
          }
        }
        if (!any) {
          result.withinTolerance++;
        } else if (result.changed.size() < keep) {
          result.changed.add(new Changed(firstOld, firstNew, differs));
        }
      }
    }

    /** A value differs when it is not the same and, for a tolerant column, not close enough. */
    private boolean differs(InternalRow old, InternalRow now, int c) {
      // Same canonical value: both 64-bit hashes of the value agree.
      if (old.getLong(layout.first(c)) == now.getLong(layout.first(c))
          && old.getLong(layout.second(c)) == now.getLong(layout.second(c))) {
        return false;
      }
      int t = layout.slot()[c];
      if (t < 0) {
        return true;
      }
      int at = 3 * layout.columns() + t;
      if (old.isNullAt(at) || now.isNullAt(at)) {
        return true; // one null, the other not (both null would be the same value)
      }
      return !layout.tolerances()[t].accepts(old.getDouble(at), now.getDouble(at));
    }
  }

  private static <T> void addUpTo(List<T> into, List<T> from, int limit) {
    for (int i = 0; i < from.size() && into.size() < limit; i++) {
      into.add(from.get(i));
    }
  }

  /**
   * Hands the kept samples to {@code sink} as a small local Dataset (at most N of each kind): the
   * values as JSON by Spark's own {@code to_json}, nulls included.
   */
  private static long write(
      Result found, Dataset<Row> rows, List<String> key, DiffSampleSink sink) {
    StructType schema = rows.schema();
    StructField[] fields = schema.fields();
    List<StructField> keyFields = new ArrayList<>();
    List<Integer> keyAt = new ArrayList<>();
    for (String column : key) {
      int at = schema.fieldIndex(column);
      keyAt.add(at);
      keyFields.add(fields[at]);
    }
    Function1<Object, Object> external = CatalystTypeConverters.createToScalaConverter(schema);
    List<Row> samples = new ArrayList<>();
    for (Changed changed : found.changed) {
      Row old = value(changed.old(), schema, external);
      Row now = value(changed.now(), schema, external);
      List<String> differing = new ArrayList<>();
      for (int c = 0; c < fields.length; c++) {
        if (changed.differs()[c]) {
          differing.add(fields[c].name());
        }
      }
      samples.add(RowFactory.create("changed", keyOf(old, keyAt), differing, old, now));
    }
    for (InternalRow row : found.missingRows) {
      Row old = value(row, schema, external);
      samples.add(RowFactory.create("missing", keyOf(old, keyAt), List.of(), old, null));
    }
    for (InternalRow row : found.extraRows) {
      Row now = value(row, schema, external);
      samples.add(RowFactory.create("extra", keyOf(now, keyAt), List.of(), null, now));
    }
    if (samples.isEmpty()) {
      return 0;
    }
    StructType local =
        new StructType()
            .add("kind", DataTypes.StringType)
            .add("key", DataTypes.createStructType(keyFields))
            .add("columns", DataTypes.createArrayType(DataTypes.StringType))
            .add("old", schema)
            .add("new", schema);
    sink.write(
        rows.sparkSession()
            .createDataFrame(samples, local)
            .select(
                col("kind"),
                Differences.json(col("key")).as("key"),
                col("columns"),
                Differences.json(col("old")).as("old_value"),
                Differences.json(col("new")).as("new_value")));
    return samples.size();
  }

  /** A laid-out row's values (its first fields) as an external row of {@code schema}. */
  private static Row value(InternalRow row, StructType schema, Function1<Object, Object> external) {
    StructField[] fields = schema.fields();
    Object[] values = new Object[fields.length];
    for (int c = 0; c < fields.length; c++) {
      values[c] = row.isNullAt(c) ? null : row.get(c, fields[c].dataType());
    }
    return (Row) external.apply(new GenericInternalRow(values));
  }

  private static Row keyOf(Row row, List<Integer> keyAt) {
    Object[] values = new Object[keyAt.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = row.get(keyAt.get(k));
    }
    return RowFactory.create(values);
  }
}
