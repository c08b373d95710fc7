package io.dsmigrate.validation;

import java.io.Serializable;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.InternalRow$;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.catalyst.expressions.XxHash64Function;
import org.apache.spark.sql.catalyst.types.PhysicalDataType$;
import org.apache.spark.sql.catalyst.util.SQLOrderingUtil;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.util.SchemaUtils;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * One scan of one side, added up by a plain loop per task over Spark's internal rows, the tasks'
 * totals then merged in a tree. Spark would run the same work as an aggregate with dozens of
 * overflow-checked sum buffers over a projection of dozens of hash expressions, several times
 * slower; here the work per value is one or two hash steps and a few additions.
 *
 * <p>The hashes are exactly those of {@link Fingerprints}, which are Spark expressions: a value of
 * a flat type (numbers, strings compared by bytes, binary, dates, timestamps, booleans) is hashed
 * here the way Spark's {@code xxhash64} hashes it (with Spark's own {@code XXH64}); the values of
 * nested types (and strings with a collation) reach the loop already hashed by Spark. So a profile
 * observed by Spark aggregates during a write ({@link ObservedProfile}) equals the one scanned
 * here.
 *
 * <p>Sums are the same exact partial sums Spark's aggregate gives (see {@link Fingerprints}); the
 * per-bucket sums, only ever compared for equality, are plain 64-bit sums that wrap.
 */
final class ProfileScan {
  private ProfileScan() {}

  /** A flat type whose values the loop hashes itself. */
  static boolean hashedHere(DataType type) {
    if (type instanceof StringType) {
      return !SchemaUtils.hasNonUTF8BinaryCollation(type);
    }
    return type instanceof NumericType
        || type instanceof BooleanType
        || type instanceof BinaryType
        || type instanceof DateType
        || type instanceof TimestampType
        || type instanceof TimestampNTZType;
  }

  /**
   * Where each input sits in the scanned rows (-1 when absent): per column either its value (hashed
   * here) or its two hashes and null flag (hashed by Spark); a value is also kept for min/max when
   * {@code minMax}; and {@code bucket}: the ordinal of each row's key bucket, {@link #KEY_BUCKETS}
   * to hash the key bucket here from the columns listed in {@code key}, {@link #ROW_BUCKETS} to
   * bucket rows by their own fingerprint, or {@link #NO_BUCKETS}.
   */
  record Layout(
      int[] value,
      int[] hash,
      int[] second,
      int[] isNull,
      boolean[] minMax,
      DataType[] types,
      int bucket,
      int[] key)
      implements Serializable {
    int columns() {
      return types.length;
    }
  }

  static final int NO_BUCKETS = -1;
  static final int ROW_BUCKETS = -2;
  static final int KEY_BUCKETS = -3;

  /**
   * The bucket of a 64-bit hash: its low bits ({@link Differences#BUCKETS} is a power of two, so
   * this is also what Spark's {@code pmod} gives). A row's bucket is that of its fingerprint's high
   * half, as {@link Differences#rowBucket} reads it, or that of its key hash ({@link
   * Differences#bucket}).
   */
  static int bucket(long hash) {
    return (int) (hash & (Differences.BUCKETS - 1));
  }

  /** What a scan adds up: totals, per column figures and per bucket sums. */
  static final class Totals implements Serializable {
    private static final long serialVersionUID = 1L;

    long rows;

    /** Three partial sums per hash: the high half, the low half, then each column's hash. */
    final long[] sums;

    final long[] nulls;
    final Object[] min;
    final Object[] max;

    /** Per bucket: rows, sum of high halves, sum of low halves; null without buckets. */
    long[] buckets;

    /** Empty totals, with zeroed bucket sums when the layout has buckets. */
    Totals(Layout layout) {
      this(layout, layout.bucket() == NO_BUCKETS ? null : new long[3 * Differences.BUCKETS]);
    }

    /** Empty totals with the given bucket sums (or none). */
    Totals(Layout layout, long[] buckets) {
      int columns = layout.columns();
      sums = new long[3 * (2 + columns)];
      nulls = new long[columns];
      min = new Object[columns];
      max = new Object[columns];
      this.buckets = buckets;
    }
  }

  /** Bucket sums travel in this many slices, each merged by its own task. */
  private static final int SLICES = 16;

  /**
   * Scans {@code rows} (laid out as {@code layout}) once and returns its totals. Without buckets,
   * the tasks' small totals are merged in a tree. With buckets, each task's bucket sums are cut
   * into {@value #SLICES} slices (empty ones not sent) that are merged by slice in a shuffle, so
   * the driver receives the bucket sums once, not once per task.
   */
  static Totals scan(Dataset<Row> rows, Layout layout) {
    return merged(
        rows.queryExecution().toRdd().toJavaRDD().mapPartitions(new Task(layout)), layout);
  }

  static Totals merged(JavaRDD<Totals> partials, Layout layout) {
    Merge merge = new Merge(layout);
    if (layout.bucket() == NO_BUCKETS) {
      return partials.getNumPartitions() == 0 ? new Totals(layout) : partials.treeReduce(merge, 2);
    }
    Totals totals = new Totals(layout);
    int length = totals.buckets.length / SLICES;
    for (Tuple2<Integer, Totals> slice :
        partials
            .flatMapToPair(whole -> slices(whole, layout).iterator())
            // A few tasks merge the slices; a small scan needs no more than one.
            .reduceByKey(merge, Math.max(1, Math.min(SLICES, partials.getNumPartitions() / 4)))
            .collect()) {
      long[] buckets = slice._2().buckets;
      slice._2().buckets = null;
      merge.call(totals, slice._2());
      System.arraycopy(buckets, 0, totals.buckets, slice._1() * length, length);
    }
    return totals;
  }

  /**
   * A task's totals as slices of its bucket sums: the first slice also carries the other figures,
   * the others carry none and are left out when their buckets are empty.
   */
  private static List<Tuple2<Integer, Totals>> slices(Totals whole, Layout layout) {
    long[] all = whole.buckets;
    int length = all.length / SLICES;
    List<Tuple2<Integer, Totals>> out = new ArrayList<>();
    for (int k = 0; k < SLICES; k++) {
      long[] buckets = Arrays.copyOfRange(all, k * length, (k + 1) * length);
      boolean empty = true;
      for (int b = 0; b < length && empty; b += 3) {
        empty = buckets[b] == 0;
      }
      if (k == 0) {
        whole.buckets = buckets;
        out.add(new Tuple2<>(k, whole));
      } else if (!empty) {
        out.add(new Tuple2<>(k, new Totals(layout, buckets)));
      }
    }
    return out;
  }

  /** One task's totals, from a plain loop over its rows. */
  static final class Task implements FlatMapFunction<Iterator<InternalRow>, Totals> {
    private static final long serialVersionUID = 1L;
    private final Layout layout;

    Task(Layout layout) {
      this.layout = layout;
    }

    @Override
    public Iterator<Totals> call(Iterator<InternalRow> rows) {
      Layout at = layout;
      int columns = at.columns();
      Sums all = new Sums(at);
      Hasher first = all.first;
      Hasher second = all.second;
      Extremes extremes = all.extremes;
      Totals totals = all.totals;
      long[] sums = totals.sums;
      long[] seconds = new long[columns];
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        totals.rows++;
        long high = all.highStart;
        for (int c = 0; c < columns; c++) {
          long h1;
          int v = at.value()[c];
          if (v >= 0) {
            if (row.isNullAt(v)) {
              totals.nulls[c]++;
              h1 = first.ofNull;
              seconds[c] = second.ofNull;
            } else {
              h1 = first.hash(row, c);
              seconds[c] = second.hash(row, c);
              if (at.minMax()[c]) {
                extremes.observe(c, row);
              }
            }
          } else {
            if (row.getBoolean(at.isNull()[c])) {
              totals.nulls[c]++;
            }
            h1 = row.getLong(at.hash()[c]);
            seconds[c] = row.getLong(at.second()[c]);
          }
          add(sums, 6 + 3 * c, h1);
          high = XXH64.hashLong(h1, high);
        }
        long low = all.lowStart;
        for (int c = columns - 1; c >= 0; c--) {
          low = XXH64.hashLong(seconds[c], low);
        }
        all.row(high, low, at.bucket() >= 0 ? row.getInt(at.bucket()) : bucket(high));
      }
      return all.done();
    }
  }

  /** What both loops share: the hashers, the starts of the row chains, and the totals. */
  static final class Sums {
    final Hasher first;
    final Hasher second;
    final long highStart = XXH64.hashLong(Fingerprints.SEED_HIGH, 42);
    final long lowStart = XXH64.hashLong(Fingerprints.SEED_LOW, 42);
    final Extremes extremes;
    final Totals totals;

    Sums(Layout layout) {
      first = new Hasher(layout, Fingerprints.SEED_COLUMN);
      second = new Hasher(layout, Fingerprints.SEED_COLUMN_LOW);
      extremes = new Extremes(layout);
      totals = new Totals(layout);
    }

    /** Adds a row's fingerprint halves, and to its bucket's sums when there are buckets. */
    void row(long high, long low, int bucket) {
      add(totals.sums, 0, high);
      add(totals.sums, 3, low);
      long[] buckets = totals.buckets;
      if (buckets != null) {
        int b = 3 * bucket;
        buckets[b]++;
        buckets[b + 1] += high;
        buckets[b + 2] += low;
      }
    }

    Iterator<Totals> done() {
      extremes.into(totals);
      return List.of(totals).iterator();
    }
  }

  /**
   * Hashes one column's value as Spark's {@code xxhash64(seed, isnull(v), v)} does: the hash of the
   * seed (a long, with Spark's default seed 42), then of the null flag, then of the value.
   */
  static final class Hasher {
    static final int INT = 0;
    static final int LONG = 1;
    static final int DOUBLE = 2;
    static final int STRING = 3;
    static final int SMALL_DECIMAL = 4;
    static final int OTHER = 5;

    final long ofNull;
    final long notNull;
    private final Layout layout;
    final int[] kinds;
    private final scala.Function2<SpecializedGetters, Object, Object>[] accessors;

    @SuppressWarnings("unchecked")
    Hasher(Layout layout, long seed) {
      this.layout = layout;
      long start = XXH64.hashLong(seed, 42);
      ofNull = XXH64.hashInt(1, start);
      notNull = XXH64.hashInt(0, start);
      int columns = layout.columns();
      kinds = new int[columns];
      accessors = new scala.Function2[columns];
      for (int c = 0; c < columns; c++) {
        DataType type = layout.types()[c];
        kinds[c] = kind(type);
        accessors[c] = InternalRow$.MODULE$.getAccessor(type, true);
      }
    }

    static int kind(DataType type) {
      if (type instanceof IntegerType || type instanceof DateType) {
        return INT;
      }
      if (type instanceof LongType
          || type instanceof TimestampType
          || type instanceof TimestampNTZType) {
        return LONG;
      }
      if (type instanceof DoubleType) {
        return DOUBLE;
      }
      if (type instanceof StringType) {
        return STRING;
      }
      if (type instanceof DecimalType decimal && decimal.precision() <= 18) {
        return SMALL_DECIMAL;
      }
      return OTHER;
    }

    long hash(InternalRow row, int c) {
      return hash(row, c, notNull);
    }

    /** The hash of column {@code c}'s value (not null) in {@code row}, from {@code seed}. */
    long hash(InternalRow row, int c, long seed) {
      int at = layout.value()[c];
      switch (kinds[c]) {
        case INT:
          return XXH64.hashInt(row.getInt(at), seed);
        case LONG:
          return XXH64.hashLong(row.getLong(at), seed);
        case DOUBLE:
          {
            return XXH64.hashLong(bits(row.getDouble(at)), seed);
          }
        case STRING:
          {
            UTF8String s = row.getUTF8String(at);
            return XXH64.hashUnsafeBytes(s.getBaseObject(), s.getBaseOffset(), s.numBytes(), seed);
          }
        case SMALL_DECIMAL:
          return XXH64.hashLong(unscaled(row, at, layout.types()[c]), seed);
        default:
          return XxHash64Function.hash(accessors[c].apply(row, at), layout.types()[c], seed);
      }
    }
  }

  /** A double's bits as Spark hashes them: -0.0 as 0.0, and every NaN with the same bits. */
  static long bits(double d) {
    return d == -0.0d ? 0L : Double.doubleToLongBits(d);
  }

  /** The unscaled value of a decimal of precision 18 or less. */
  private static long unscaled(InternalRow row, int at, DataType type) {
    if (row instanceof UnsafeRow) {
      return row.getLong(at); // how an UnsafeRow stores such a decimal
    }
    DecimalType decimal = (DecimalType) type;
    return row.getDecimal(at, decimal.precision(), decimal.scale()).toUnscaledLong();
  }

  /**
   * A task's least and greatest value per column, in Spark's order for each type: kept unboxed for
   * the common types (most rows change neither, so most rows cost one or two comparisons), through
   * Spark's ordering for the others.
   */
  static final class Extremes {
    private final Layout layout;
    private final int[] kinds;
    private final boolean[] seen;
    private final long[] minLong;
    private final long[] maxLong;
    private final double[] minDouble;
    private final double[] maxDouble;
    private final UTF8String[] minString;
    private final UTF8String[] maxString;
    private final long[] minPrefix;
    private final long[] maxPrefix;
    private final boolean[] minBorrowed;
    private final boolean[] maxBorrowed;
    private final Values others;
    private final Object[] otherMin;
    private final Object[] otherMax;

    Extremes(Layout layout) {
      this.layout = layout;
      int columns = layout.columns();
      kinds = new int[columns];
      for (int c = 0; c < columns; c++) {
        kinds[c] = Hasher.kind(layout.types()[c]);
      }
      seen = new boolean[columns];
      minLong = new long[columns];
      maxLong = new long[columns];
      minDouble = new double[columns];
      maxDouble = new double[columns];
      minString = new UTF8String[columns];
      maxString = new UTF8String[columns];
      minPrefix = new long[columns];
      maxPrefix = new long[columns];
      minBorrowed = new boolean[columns];
      maxBorrowed = new boolean[columns];
      others = new Values(layout);
      otherMin = new Object[columns];
      otherMax = new Object[columns];
    }

    void observe(int c, InternalRow row) {
      int at = layout.value()[c];
      switch (kinds[c]) {
        case Hasher.INT -> observe(c, row.getInt(at));
        case Hasher.LONG -> observe(c, row.getLong(at));
        case Hasher.SMALL_DECIMAL -> observe(c, unscaled(row, at, layout.types()[c]));
        case Hasher.DOUBLE -> observe(c, row.getDouble(at));
        case Hasher.STRING -> observe(c, row.getUTF8String(at));
        default -> {
          seen[c] = true;
          others.observe(otherMin, otherMax, c, row);
        }
      }
    }

    void observe(int c, long v) {
      boolean first = !seen[c];
      seen[c] = true;
      if (first || v < minLong[c]) {
        minLong[c] = v;
      }
      if (first || v > maxLong[c]) {
        maxLong[c] = v;
      }
    }

    void observe(int c, double v) {
      boolean first = !seen[c];
      seen[c] = true;
      if (first || SQLOrderingUtil.compareDoubles(v, minDouble[c]) < 0) {
        minDouble[c] = v;
      }
      if (first || SQLOrderingUtil.compareDoubles(v, maxDouble[c]) > 0) {
        maxDouble[c] = v;
      }
    }

    void observe(int c, UTF8String v) {
      // The string points into a buffer that the next row reuses: a new min or max is copied now.
      observe(c, v.getBaseObject(), v.getBaseOffset(), v.numBytes());
      settle(c);
    }

    /**
     * Weighs the string of {@code bytes} bytes at {@code offset} of {@code base} for min and max,
     * in the order of {@link UTF8String#binaryCompare}. The string must stay there until {@link
     * #settle}: a new min or max is not copied until then. Most strings are placed by their first
     * eight bytes alone; only a string that begins as the min or the max does is compared whole.
     */
    void observe(int c, Object base, long offset, int bytes) {
      long prefix = prefix(base, offset, bytes);
      if (!seen[c]) {
        seen[c] = true;
        minString[c] = maxString[c] = UTF8String.fromAddress(base, offset, bytes);
        minPrefix[c] = maxPrefix[c] = prefix;
        minBorrowed[c] = maxBorrowed[c] = true;
        return;
      }
      int low = Long.compareUnsigned(prefix, minPrefix[c]);
      if (low < 0
          || low == 0
              && UTF8String.fromAddress(base, offset, bytes).binaryCompare(minString[c]) < 0) {
        minString[c] = UTF8String.fromAddress(base, offset, bytes);
        minPrefix[c] = prefix;
        minBorrowed[c] = true;
      }
      int high = Long.compareUnsigned(prefix, maxPrefix[c]);
      if (high > 0
          || high == 0
              && UTF8String.fromAddress(base, offset, bytes).binaryCompare(maxString[c]) > 0) {
        maxString[c] = UTF8String.fromAddress(base, offset, bytes);
        maxPrefix[c] = prefix;
        maxBorrowed[c] = true;
      }
    }

    /** Copies the strings {@link #observe(int, Object, long, int)} left where they were read. */
    void settle() {
      for (int c = 0; c < seen.length; c++) {
        settle(c);
      }
    }

    private void settle(int c) {
      if (minBorrowed[c]) {
        minString[c] = minString[c].copy();
        minBorrowed[c] = false;
      }
      if (maxBorrowed[c]) {
        maxString[c] = maxString[c].copy();
        maxBorrowed[c] = false;
      }
    }

    /**
     * The first eight bytes of a string as an unsigned big-endian number, zeros past its end: of
     * two strings, the one with the smaller prefix is the smaller (as {@link
     * UTF8String#binaryCompare} orders them); equal prefixes say nothing.
     */
    static long prefix(Object base, long offset, int bytes) {
      if (bytes >= 8) {
        long word = Platform.getLong(base, offset);
        return BIG_ENDIAN ? word : Long.reverseBytes(word);
      }
      long prefix = 0;
      for (int i = 0; i < 8; i++) {
        prefix = (prefix << 8) | (i < bytes ? Platform.getByte(base, offset + i) & 0xFF : 0);
      }
      return prefix;
    }

    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    /** Puts the extremes into {@code totals} as Spark's internal values. */
    void into(Totals totals) {
      for (int c = 0; c < seen.length; c++) {
        if (!seen[c]) {
          continue;
        }
        switch (kinds[c]) {
          case Hasher.INT -> {
            totals.min[c] = (int) minLong[c];
            totals.max[c] = (int) maxLong[c];
          }
          case Hasher.LONG -> {
            totals.min[c] = minLong[c];
            totals.max[c] = maxLong[c];
          }
          case Hasher.SMALL_DECIMAL -> {
            DecimalType type = (DecimalType) layout.types()[c];
            totals.min[c] = Decimal.createUnsafe(minLong[c], type.precision(), type.scale());
            totals.max[c] = Decimal.createUnsafe(maxLong[c], type.precision(), type.scale());
          }
          case Hasher.DOUBLE -> {
            totals.min[c] = minDouble[c];
            totals.max[c] = maxDouble[c];
          }
          case Hasher.STRING -> {
            totals.min[c] = minString[c];
            totals.max[c] = maxString[c];
          }
          default -> {
            totals.min[c] = otherMin[c];
            totals.max[c] = otherMax[c];
          }
        }
      }
    }
  }

  /** Merges two tasks' totals (into the first). */
  private static final class Merge implements Function2<Totals, Totals, Totals> {
    private static final long serialVersionUID = 1L;
    private final Layout layout;

    Merge(Layout layout) {
      this.layout = layout;
    }

    @Override
    public Totals call(Totals into, Totals from) {
      into.rows += from.rows;
      for (int i = 0; i < into.sums.length; i++) {
        into.sums[i] += from.sums[i];
      }
      Values values = new Values(layout);
      for (int c = 0; c < into.nulls.length; c++) {
        into.nulls[c] += from.nulls[c];
        if (from.min[c] != null) {
          values.offer(into.min, into.max, c, from.min[c]);
          values.offer(into.min, into.max, c, from.max[c]);
        }
      }
      if (into.buckets != null && from.buckets != null) {
        for (int i = 0; i < into.buckets.length; i++) {
          into.buckets[i] += from.buckets[i];
        }
      }
      return into;
    }
  }

  /** Reads values and keeps the least and greatest, in Spark's own order for each type. */
  private static final class Values {
    private final Layout layout;
    private final scala.Function2<SpecializedGetters, Object, Object>[] accessors;
    private final scala.math.Ordering<Object>[] orderings;

    @SuppressWarnings("unchecked")
    Values(Layout layout) {
      this.layout = layout;
      int columns = layout.columns();
      accessors = new scala.Function2[columns];
      orderings = new scala.math.Ordering[columns];
      for (int c = 0; c < columns; c++) {
        if (layout.minMax()[c]) {
          DataType type = layout.types()[c];
          accessors[c] = InternalRow$.MODULE$.getAccessor(type, true);
          orderings[c] = PhysicalDataType$.MODULE$.ordering(type);
        }
      }
    }

    /** Offers column {@code c} of {@code row}, copied only when kept. */
    void observe(Object[] min, Object[] max, int c, InternalRow row) {
      Object value = accessors[c].apply(row, layout.value()[c]);
      if (lower(min, c, value) || higher(max, c, value)) {
        // Values of strings point into the row's buffer, which the next row reuses.
        offer(min, max, c, InternalRow$.MODULE$.copyValue(value));
      }
    }

    void offer(Object[] min, Object[] max, int c, Object value) {
      if (lower(min, c, value)) {
        min[c] = value;
      }
      if (higher(max, c, value)) {
        max[c] = value;
      }
    }

    private boolean lower(Object[] min, int c, Object value) {
      return min[c] == null || orderings[c].lt(value, min[c]);
    }

    private boolean higher(Object[] max, int c, Object value) {
      return max[c] == null || orderings[c].gt(value, max[c]);
    }
  }

  /** Adds a 64-bit hash to its three partial sums (bits 43-63, 22-42 and 0-21). */
  static void add(long[] sums, int at, long hash) {
    sums[at] += hash >>> 43;
    sums[at + 1] += (hash >>> 22) & ((1L << 21) - 1);
    sums[at + 2] += hash & ((1L << 22) - 1);
  }
}
