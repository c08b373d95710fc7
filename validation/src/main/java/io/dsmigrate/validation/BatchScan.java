package io.dsmigrate.validation;

import static io.dsmigrate.validation.ProfileScan.KEY_BUCKETS;
import static io.dsmigrate.validation.ProfileScan.add;
import static io.dsmigrate.validation.ProfileScan.bits;
import static io.dsmigrate.validation.ProfileScan.bucket;
import static io.dsmigrate.validation.ProfileScan.hashedHere;

import io.dsmigrate.validation.ProfileScan.Extremes;
import io.dsmigrate.validation.ProfileScan.Hasher;
import io.dsmigrate.validation.ProfileScan.Layout;
import io.dsmigrate.validation.ProfileScan.Sums;
import io.dsmigrate.validation.ProfileScan.Totals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.InternalRow$;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The profile scan and the keyed read-out of a side Spark reads as column batches (see {@link
 * Batches}): the same figures as {@link ProfileScan}'s loop over rows, to the last bit, taken one
 * column at a time straight from the decoded columns, so no row is built but the rows read out.
 */
final class BatchScan {
  private BatchScan() {}

  /**
   * The column batches of {@code rows} (see {@link Batches}) when every column is of a type the
   * loop hashes itself, else null.
   */
  static Batches batches(Dataset<Row> rows) {
    for (StructField field : rows.schema().fields()) {
      if (!hashedHere(field.dataType())) {
        return null;
      }
    }
    return Batches.of(rows);
  }

  /**
   * The layout of a side read as {@code batches}: each column's value at its position in the
   * batches, buckets of {@code key} (column names) or else as {@code noBucket} says.
   */
  static Layout layout(StructType schema, Batches batches, List<String> key, int noBucket) {
    int n = schema.size();
    boolean[] minMax = new boolean[n];
    DataType[] types = new DataType[n];
    for (int i = 0; i < n; i++) {
      types[i] = schema.fields()[i].dataType();
      minMax[i] = Canonical.hasMinMax(types[i]);
    }
    int[] none = new int[n];
    Arrays.fill(none, -1);
    int[] keyAt = key.stream().mapToInt(schema::fieldIndex).toArray();
    return new Layout(
        batches.ordinals(),
        none,
        none,
        none,
        minMax,
        types,
        key.isEmpty() ? noBucket : KEY_BUCKETS,
        keyAt);
  }

  /**
   * Scans a side read as column batches (see {@link Batches}); {@code layout} gives each column's
   * position in the batches. The totals are the same as a scan of the same rows as rows.
   */
  static Totals scan(Batches batches, Layout layout) {
    return ProfileScan.merged(
        batches.batches().toJavaRDD().mapPartitions(new BatchTask(layout)), layout);
  }

  /**
   * One task's totals from column batches: the same sums as {@link ProfileScan}'s row loop, taken
   * one column at a time over each batch, so the loop over a column's values stays on one column
   * and one type.
   */
  private static final class BatchTask implements FlatMapFunction<Iterator<ColumnarBatch>, Totals> {
    private static final long serialVersionUID = 1L;
    private final Layout layout;

    BatchTask(Layout layout) {
      this.layout = layout;
    }

    @Override
    public Iterator<Totals> call(Iterator<ColumnarBatch> batches) {
      Layout at = layout;
      int columns = at.columns();
      Sums all = new Sums(at);
      Totals totals = all.totals;
      long[] sums = totals.sums;
      long[] high = new long[0];
      long[] low = new long[0];
      long[] firsts = new long[0];
      long[] seconds = new long[0];
      long[] keys = new long[0];
      StringColumns stringColumns = new StringColumns(columns);
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next();
        stringColumns.nextBatch();
        int n = batch.numRows();
        if (high.length < n) {
          high = new long[n];
          low = new long[n];
          firsts = new long[n];
          seconds = new long[n * columns];
          keys = new long[n];
        }
        totals.rows += n;
        Arrays.fill(high, 0, n, all.highStart);
        Arrays.fill(low, 0, n, all.lowStart);
        for (int c = 0; c < columns; c++) {
          column(batch, c, n, all, stringColumns, firsts, seconds, c * n);
          for (int r = 0; r < n; r++) {
            add(sums, 6 + 3 * c, firsts[r]);
            high[r] = XXH64.hashLong(firsts[r], high[r]);
          }
        }
        all.extremes.settle();
        for (int c = columns - 1; c >= 0; c--) {
          int from = c * n;
          for (int r = 0; r < n; r++) {
            low[r] = XXH64.hashLong(seconds[from + r], low[r]);
          }
        }
        if (at.bucket() == KEY_BUCKETS) {
          keyHashes(batch, at, n, all.first, keys);
        }
        for (int r = 0; r < n; r++) {
          all.row(high[r], low[r], at.bucket() == KEY_BUCKETS ? bucket(keys[r]) : bucket(high[r]));
        }
      }
      return all.done();
    }

    /**
     * Column {@code c} of the first {@code n} rows of a batch: both hashes of each value (into
     * {@code firsts} and, from {@code from}, {@code seconds}), its nulls, and its min and max. Each
     * value is read once, and the type is chosen once per column, not once per value.
     */
    private void column(
        ColumnarBatch batch,
        int c,
        int n,
        Sums all,
        StringColumns stringColumns,
        long[] firsts,
        long[] seconds,
        int from) {
      ColumnVector vector = batch.column(layout.value()[c]);
      DataType type = layout.types()[c];
      boolean minMax = layout.minMax()[c];
      boolean nulls = vector.hasNull();
      long seed1 = all.first.notNull;
      long seed2 = all.second.notNull;
      Extremes extremes = all.extremes;
      if (all.first.kinds[c] == Hasher.STRING && vector instanceof WritableColumnVector strings) {
        stringColumns.column(strings, c, n, all, minMax, firsts, seconds, from);
        return;
      }
      for (int r = 0; r < n; r++) {
        if (nulls && vector.isNullAt(r)) {
          nullAt(all, c, r, firsts, seconds, from);
          continue;
        }
        switch (all.first.kinds[c]) {
          case Hasher.INT -> {
            int v = vector.getInt(r);
            firsts[r] = XXH64.hashInt(v, seed1);
            seconds[from + r] = XXH64.hashInt(v, seed2);
            if (minMax) {
              extremes.observe(c, v);
            }
          }
          case Hasher.LONG, Hasher.SMALL_DECIMAL, Hasher.DOUBLE -> {
            int kind = all.first.kinds[c];
            double d = kind == Hasher.DOUBLE ? vector.getDouble(r) : 0;
            long v =
                kind == Hasher.LONG
                    ? vector.getLong(r)
                    : kind == Hasher.SMALL_DECIMAL ? unscaled(vector, r, type) : bits(d);
            firsts[r] = XXH64.hashLong(v, seed1);
            seconds[from + r] = XXH64.hashLong(v, seed2);
            if (minMax && kind == Hasher.DOUBLE) {
              extremes.observe(c, d);
            } else if (minMax) {
              extremes.observe(c, v);
            }
          }
          case Hasher.STRING -> {
            UTF8String v = vector.getUTF8String(r);
            Object base = v.getBaseObject();
            long offset = v.getBaseOffset();
            int bytes = v.numBytes();
            firsts[r] = XXH64.hashUnsafeBytes(base, offset, bytes, seed1);
            seconds[from + r] = XXH64.hashUnsafeBytes(base, offset, bytes, seed2);
            if (minMax) {
              extremes.observe(c, v);
            }
          }
          default -> {
            InternalRow row = batch.getRow(r);
            firsts[r] = all.first.hash(row, c);
            seconds[from + r] = all.second.hash(row, c);
            if (minMax) {
              extremes.observe(c, row);
            }
          }
        }
      }
    }
  }

  /** Row {@code r}'s value in column {@code c} is null: counted, and given the hashes of a null. */
  private static void nullAt(Sums all, int c, int r, long[] first, long[] second, int from) {
    all.totals.nulls[c]++;
    first[r] = all.first.ofNull;
    second[from + r] = all.second.ofNull;
  }

  /**
   * The string columns of Spark's own column vectors, as {@link BatchTask#column} takes other
   * columns, without making a string object per value. Parquet keeps a column either as plain
   * values, which sit end to end in one buffer and are hashed where they lie, or, for a column with
   * few distinct values (a region, a status), as ids into a dictionary: decoding such a value
   * copies it out of the dictionary, so each distinct value is decoded, hashed and weighed for min
   * and max once per batch (a dictionary holds for a batch at least), and each row takes the hashes
   * of its id.
   */
  private static final class StringColumns {
    private final int[][] stamps;
    private final long[][] firsts;
    private final long[][] seconds;
    private int batch;

    StringColumns(int columns) {
      stamps = new int[columns][0];
      firsts = new long[columns][0];
      seconds = new long[columns][0];
    }

    void nextBatch() {
      batch++;
    }

    /** Column {@code c} of the first {@code n} rows of a batch, as {@link BatchTask#column}. */
    void column(
        WritableColumnVector vector,
        int c,
        int n,
        Sums all,
        boolean minMax,
        long[] first,
        long[] second,
        int from) {
      boolean nulls = vector.hasNull();
      WritableColumnVector ids = vector.hasDictionary() ? vector.getDictionaryIds() : null;
      boolean located = false;
      Object base = null;
      long start = 0;
      for (int r = 0; r < n; r++) {
        if (nulls && vector.isNullAt(r)) {
          nullAt(all, c, r, first, second, from);
        } else if (ids != null) {
          int id = ids.getDictId(r);
          if (id >= stamps[c].length || stamps[c][id] != batch) {
            hashed(vector.getUTF8String(r), c, id, all, minMax);
          }
          first[r] = firsts[c][id];
          second[from + r] = seconds[c][id];
        } else {
          if (!located) {
            // Where the buffer starts: the string of this row, less its offset into the buffer.
            UTF8String v = vector.getUTF8String(r);
            base = v.getBaseObject();
            start = v.getBaseOffset() - vector.getArrayOffset(r);
            located = true;
          }
          long offset = start + vector.getArrayOffset(r);
          int bytes = vector.getArrayLength(r);
          first[r] = XXH64.hashUnsafeBytes(base, offset, bytes, all.first.notNull);
          second[from + r] = XXH64.hashUnsafeBytes(base, offset, bytes, all.second.notNull);
          if (minMax) {
            all.extremes.observe(c, base, offset, bytes);
          }
        }
      }
    }

    /** Hashes dictionary entry {@code id} of column {@code c} for this batch. */
    private void hashed(UTF8String v, int c, int id, Sums all, boolean minMax) {
      if (id >= stamps[c].length) {
        int size = Math.max(id + 1, 2 * stamps[c].length);
        stamps[c] = Arrays.copyOf(stamps[c], size);
        firsts[c] = Arrays.copyOf(firsts[c], size);
        seconds[c] = Arrays.copyOf(seconds[c], size);
      }
      Object base = v.getBaseObject();
      long offset = v.getBaseOffset();
      firsts[c][id] = XXH64.hashUnsafeBytes(base, offset, v.numBytes(), all.first.notNull);
      seconds[c][id] = XXH64.hashUnsafeBytes(base, offset, v.numBytes(), all.second.notNull);
      if (minMax) {
        all.extremes.observe(c, v);
      }
      stamps[c][id] = batch;
    }
  }

  /**
   * The key hashes of the first {@code n} rows of a batch, into {@code keys}, as {@link
   * Differences#bucket} computes them in Spark: Spark's {@code xxhash64} of the seed, then of each
   * key column's (is null, value). A row's bucket is that of its key hash ({@link
   * ProfileScan#bucket}).
   */
  private static void keyHashes(
      ColumnarBatch batch, Layout layout, int n, Hasher hasher, long[] keys) {
    Arrays.fill(keys, 0, n, XXH64.hashLong(Fingerprints.SEED_BUCKET, 42));
    for (int c : layout.key()) {
      ColumnVector vector = batch.column(layout.value()[c]);
      for (int r = 0; r < n; r++) {
        keys[r] =
            vector.isNullAt(r)
                ? XXH64.hashInt(1, keys[r])
                : hasher.hash(batch.getRow(r), c, XXH64.hashInt(0, keys[r]));
      }
    }
  }

  /**
   * The rows of a side read as batches whose key bucket is {@code wanted}, copied out in the side's
   * column order; the key is hashed as in the profile scan, and no other row is ever built.
   */
  static RDD<InternalRow> inKeyBuckets(Batches batches, Layout layout, boolean[] wanted) {
    return batches.batches().toJavaRDD().mapPartitions(new KeyRows(layout, wanted)).rdd();
  }

  /** The rows of wanted key buckets, one batch at a time. */
  private static final class KeyRows
      implements FlatMapFunction<Iterator<ColumnarBatch>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private final Layout layout;
    private final boolean[] wanted;

    KeyRows(Layout layout, boolean[] wanted) {
      this.layout = layout;
      this.wanted = wanted;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<ColumnarBatch> batches) {
      Hasher hasher = new Hasher(layout, Fingerprints.SEED_COLUMN);
      int columns = layout.columns();
      @SuppressWarnings("unchecked")
      scala.Function2<SpecializedGetters, Object, Object>[] accessors =
          new scala.Function2[columns];
      for (int c = 0; c < columns; c++) {
        accessors[c] = InternalRow$.MODULE$.getAccessor(layout.types()[c], true);
      }
      return new Iterator<>() {
        private final List<InternalRow> found = new ArrayList<>();
        private int next;
        private long[] keys = new long[0];

        @Override
        public boolean hasNext() {
          while (next == found.size() && batches.hasNext()) {
            found.clear();
            next = 0;
            ColumnarBatch batch = batches.next();
            int n = batch.numRows();
            if (keys.length < n) {
              keys = new long[n];
            }
            keyHashes(batch, layout, n, hasher, keys);
            for (int r = 0; r < n; r++) {
              if (wanted[bucket(keys[r])]) {
                InternalRow row = batch.getRow(r);
                Object[] values = new Object[columns];
                for (int c = 0; c < columns; c++) {
                  values[c] =
                      InternalRow$.MODULE$.copyValue(accessors[c].apply(row, layout.value()[c]));
                }
                found.add(new GenericInternalRow(values));
              }
            }
          }
          return next < found.size();
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return found.get(next++);
        }
      };
    }
  }

  /** The unscaled value of a decimal of precision 18 or less in row {@code r} of a column. */
  private static long unscaled(ColumnVector vector, int r, DataType type) {
    DecimalType decimal = (DecimalType) type;
    if (vector instanceof WritableColumnVector) {
      // How Spark's own column vectors store such a decimal.
      return decimal.precision() <= Decimal.MAX_INT_DIGITS() ? vector.getInt(r) : vector.getLong(r);
    }
    return vector.getDecimal(r, decimal.precision(), decimal.scale()).toUnscaledLong();
  }
}
