package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Locates differences once the profiles have shown there are some, in the rows of the buckets whose
 * sums differ: the keyless multiset diff over narrow (fingerprint, side) rows, and the keyed diff
 * ({@link KeyedDiff}).
 */
final class Differences {
  /** Keys are spread over this many buckets to find where differences are. */
  static final int BUCKETS = 65_536;

  /** Beyond this many differing buckets, both sides are diffed whole. */
  static final int MAX_DIFFERING_BUCKETS = 4_096;

  private static final String SIDE = "__dsm_side";
  private static final String OLD_COUNT = "__dsm_old";
  private static final String NEW_COUNT = "__dsm_new";

  private final Dataset<Row> oldRows;
  private final Dataset<Row> newRows;
  final List<String> key;
  final Map<String, Tolerance> tolerances;
  final int samples;
  final DiffSampleSink sink;

  Differences(
      Dataset<Row> oldRows,
      Dataset<Row> newRows,
      List<String> key,
      Map<String, Tolerance> tolerances,
      int samples,
      DiffSampleSink sink) {
    this.oldRows = oldRows;
    this.newRows = newRows;
    this.key = key;
    this.tolerances = tolerances;
    this.samples = sink == null ? 0 : samples;
    this.sink = sink;
  }

  /** The figures the diff passes find. */
  record Found(
      long rowsMissing,
      long rowsExtra,
      Long rowsChanged,
      Long keysOnlyOld,
      Long keysOnlyNew,
      Long duplicateKeys,
      Long rowsWithinTolerance,
      Map<String, Long> columnCounts,
      long samplesWritten) {

    static Found none(List<String> key) {
      Long zero = key.isEmpty() ? null : 0L;
      return new Found(0, 0, zero, zero, zero, zero, zero, Map.of(), 0);
    }
  }

  /**
   * The keyless diff. The profile scan of each side has summed its rows per bucket of their own
   * fingerprint (see {@link SideProfile#scan}); a row that is missing or extra changes its bucket,
   * so only the rows of differing buckets are read out and diffed as multisets. When differences
   * are everywhere, both sides are diffed whole.
   */
  Found keyless(long[] oldBuckets, long[] newBuckets, List<String> differingColumns) {
    Object[] buckets = differing(oldBuckets, newBuckets);
    if (buckets == null) {
      return keyless(differingColumns);
    }
    // Read out once and kept while the diff reads them (several times), then set free.
    Column bucket = rowBucket(oldRows.schema());
    Dataset<Row> oldPart =
        oldRows.where(bucket.isin(buckets)).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> newPart =
        newRows.where(bucket.isin(buckets)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return new Differences(oldPart, newPart, key, tolerances, samples, sink)
          .keyless(differingColumns);
    } finally {
      oldPart.unpersist();
      newPart.unpersist();
    }
  }

  /** The keyless diff of both sides whole: narrow (fingerprint, side) rows grouped. */
  private Found keyless(List<String> differingColumns) {
    Dataset<Row> unmatched =
        withSide(oldRows.select(fingerprint(oldRows)), 0)
            .unionByName(withSide(newRows.select(fingerprint(newRows)), 1))
            .groupBy(Fingerprints.HIGH, Fingerprints.LOW)
            .agg(sideCount(0).as(OLD_COUNT), sideCount(1).as(NEW_COUNT))
            .where(col(OLD_COUNT).notEqual(col(NEW_COUNT)));
    if (samples > 0) {
      unmatched = unmatched.persist(StorageLevel.MEMORY_AND_DISK());
    }
    try {
      Row totals =
          unmatched
              .agg(
                  sum(greatest(col(OLD_COUNT).minus(col(NEW_COUNT)), lit(0L))),
                  sum(greatest(col(NEW_COUNT).minus(col(OLD_COUNT)), lit(0L))))
              .first();
      long missing = totals.isNullAt(0) ? 0 : totals.getLong(0);
      long extra = totals.isNullAt(1) ? 0 : totals.getLong(1);
      long written = 0;
      if (samples > 0 && missing + extra > 0) {
        Column differing = Canonical.strings(differingColumns);
        Dataset<Row> missingRows =
            rowsWithFingerprints(oldRows, unmatched.where(col(OLD_COUNT).gt(col(NEW_COUNT))))
                .select(
                    lit("missing").as("kind"),
                    lit(null).cast("string").as("key"),
                    differing.as("columns"),
                    col("__dsm_json").as("old_value"),
                    lit(null).cast("string").as("new_value"));
        Dataset<Row> extraRows =
            rowsWithFingerprints(newRows, unmatched.where(col(NEW_COUNT).gt(col(OLD_COUNT))))
                .select(
                    lit("extra").as("kind"),
                    lit(null).cast("string").as("key"),
                    differing.as("columns"),
                    lit(null).cast("string").as("old_value"),
                    col("__dsm_json").as("new_value"));
        written = write(missingRows.unionByName(extraRows));
      }
      return new Found(missing, extra, null, null, null, null, null, Map.of(), written);
    } finally {
      unmatched.unpersist();
    }
  }

  /**
   * The keyed diff. Keys are spread over {@value #BUCKETS} buckets by {@link #bucket}; the profile
   * scan of each side has summed its rows per bucket (see {@link SideProfile#scan}), so the buckets
   * whose rows differ are known without reading anything more, and only their rows are read out and
   * diffed key by key ({@link KeyedDiff}), in the same job. When differences are everywhere, the
   * whole of both sides is diffed key by key instead.
   */
  Found keyed(long[] oldBuckets, long[] newBuckets) {
    Object[] buckets = differing(oldBuckets, newBuckets);
    Dataset<Row> oldPart = oldRows;
    Dataset<Row> newPart = newRows;
    if (buckets != null) {
      oldPart = inBuckets(oldRows, buckets);
      newPart = inBuckets(newRows, buckets);
    }
    return KeyedDiff.diff(oldPart, newPart, this);
  }

  /**
   * The rows of {@code rows} whose key bucket is one of {@code buckets}: taken straight from the
   * side's column batches when Spark reads it so (see {@link BatchScan#batches}), else filtered by
   * Spark.
   */
  private Dataset<Row> inBuckets(Dataset<Row> rows, Object[] buckets) {
    Batches batches = BatchScan.batches(rows);
    if (batches == null) {
      return rows.where(bucket(rows.schema(), key).isin(buckets));
    }
    boolean[] wanted = new boolean[BUCKETS];
    for (Object bucket : buckets) {
      wanted[(Integer) bucket] = true;
    }
    ProfileScan.Layout layout =
        BatchScan.layout(rows.schema(), batches, key, ProfileScan.NO_BUCKETS);
    return ((org.apache.spark.sql.classic.SparkSession) rows.sparkSession())
        .internalCreateDataFrame(
            BatchScan.inKeyBuckets(batches, layout, wanted), rows.schema(), false);
  }

  /**
   * The buckets whose sums differ, or null when there are more than {@link #MAX_DIFFERING_BUCKETS}.
   */
  private static Object[] differing(long[] oldBuckets, long[] newBuckets) {
    List<Integer> differing = new ArrayList<>();
    for (int b = 0; b < BUCKETS; b++) {
      int at = 3 * b;
      if (oldBuckets[at] != newBuckets[at]
          || oldBuckets[at + 1] != newBuckets[at + 1]
          || oldBuckets[at + 2] != newBuckets[at + 2]) {
        differing.add(b);
        if (differing.size() > MAX_DIFFERING_BUCKETS) {
          return null;
        }
      }
    }
    return differing.toArray();
  }

  /**
   * A row's bucket by its own fingerprint: the low bits of its high half, as the profile scan takes
   * them ({@link ProfileScan#bucket}).
   */
  static Column rowBucket(StructType schema) {
    return Fingerprints.row(schema).get(0).bitwiseAND(lit((long) BUCKETS - 1)).cast("int");
  }

  /** The key's bucket, 0 to {@value #BUCKETS} - 1: a hash of the key's canonical values. */
  static Column bucket(StructType schema, List<String> key) {
    return pmod(
            Fingerprints.chain(Fingerprints.SEED_BUCKET, Fingerprints.keyPairs(schema, key)),
            lit(BUCKETS))
        .cast("int");
  }

  private Dataset<Row> rowsWithFingerprints(Dataset<Row> rows, Dataset<Row> unmatched) {
    Dataset<Row> hashes =
        unmatched
            .select(col(Fingerprints.HIGH).as("__dsm_h1"), col(Fingerprints.LOW).as("__dsm_h2"))
            .limit(samples);
    List<Column> columns = new ArrayList<>(Fingerprints.row(rows.schema()));
    columns.add(json(struct(columns(fieldNames()))).as("__dsm_json"));
    return rows.select(columns.toArray(Column[]::new))
        .join(
            broadcast(hashes),
            col(Fingerprints.HIGH)
                .equalTo(col("__dsm_h1"))
                .and(col(Fingerprints.LOW).equalTo(col("__dsm_h2"))),
            "left_semi")
        .limit(samples);
  }

  private long write(Dataset<Row> sampleRows) {
    // Counted after writing would scan twice; the sink writes, then the written rows are counted
    // from the small sample set itself.
    Dataset<Row> limited = sampleRows.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long count = limited.count();
      if (count > 0) {
        sink.write(limited);
      }
      return count;
    } finally {
      limited.unpersist();
    }
  }

  private static Column[] fingerprint(Dataset<Row> rows) {
    return Fingerprints.row(rows.schema()).toArray(Column[]::new);
  }

  private static Dataset<Row> withSide(Dataset<Row> rows, int side) {
    return rows.withColumn(SIDE, lit(side));
  }

  private static Column sideCount(int side) {
    return count(when(col(SIDE).equalTo(side), lit(1)));
  }

  private List<String> fieldNames() {
    return List.of(oldRows.schema().fieldNames());
  }

  /** A row as JSON, nulls included (a null that moved must show). */
  static Column json(Column row) {
    return org.apache.spark.sql.functions.to_json(row, Map.of("ignoreNullFields", "false"));
  }

  private static Column[] columns(List<String> names) {
    return names.stream().map(Canonical::column).toArray(Column[]::new);
  }
}
