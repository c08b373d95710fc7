package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Locates differences once the profiles have shown there are some: the keyless multiset diff over
 * narrow (fingerprint, side) rows, the keyed diff over narrow (key, fingerprint, side) rows, and
 * the pairing of changed rows for per-column attribution and samples.
 */
final class Differences {
  /** Changed keys up to this many are broadcast to pick their rows out of each side. */
  static final long BROADCAST_KEYS = 200_000;

  /** Keys are spread over this many buckets to find where differences are. */
  static final int BUCKETS = 65_536;

  /** Beyond this many differing buckets, both sides are diffed whole. */
  static final int MAX_DIFFERING_BUCKETS = 4_096;

  private static final String SIDE = "__dsm_side";
  private static final String OLD_COUNT = "__dsm_old";
  private static final String NEW_COUNT = "__dsm_new";
  private static final String MISSING = "__dsm_missing";
  private static final String EXTRA = "__dsm_extra";
  private static final String KEY_PREFIX = "__dsm_k";
  private static final String OLD_PREFIX = "__dsm_o";
  private static final String NEW_PREFIX = "__dsm_n";

  private final Dataset<Row> oldRows;
  private final Dataset<Row> newRows;
  private final List<String> key;
  private final Map<String, Tolerance> tolerances;
  private final int samples;
  private final DiffSampleSink sink;

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
    return readOut(rowBucket(oldRows.schema()), buckets, part -> part.keyless(differingColumns));
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
   * whose rows differ are known without reading anything more, and only their rows are read out,
   * kept and diffed key by key. When differences are everywhere, the whole of both sides is diffed
   * key by key instead.
   */
  Found keyed(long[] oldBuckets, long[] newBuckets) {
    Object[] buckets = differing(oldBuckets, newBuckets);
    if (buckets == null) {
      return pairedKeys();
    }
    return readOut(bucket(oldRows.schema(), key), buckets, Differences::pairedKeys);
  }

  /**
   * Diffs the rows of both sides whose {@code bucket} is one of {@code buckets}: read out once and
   * kept while {@code diff} reads them (several times), then set free.
   */
  private Found readOut(Column bucket, Object[] buckets, Function<Differences, Found> diff) {
    Dataset<Row> oldPart =
        oldRows.where(bucket.isin(buckets)).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> newPart =
        newRows.where(bucket.isin(buckets)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return diff.apply(new Differences(oldPart, newPart, key, tolerances, samples, sink));
    } finally {
      oldPart.unpersist();
      newPart.unpersist();
    }
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
   * them ({@link ProfileScan#rowBucket}).
   */
  static Column rowBucket(StructType schema) {
    return Fingerprints.row(schema).get(0).bitwiseAND(lit((long) BUCKETS - 1)).cast("int");
  }

  /** The key's bucket, 0 to {@value #BUCKETS} - 1: a hash of the key's canonical values. */
  static Column bucket(StructType schema, List<String> key) {
    List<Column> inputs = new ArrayList<>();
    inputs.add(lit(0x5eed4L));
    for (String column : key) {
      Column value = Canonical.column(column);
      inputs.add(value.isNull());
      inputs.add(Canonical.of(value, schema.apply(column).dataType()));
    }
    return pmod(xxhash64(inputs.toArray(Column[]::new)), lit(BUCKETS)).cast("int");
  }

  /** The keyed diff over all rows of both sides: one shuffle of narrow (key, fingerprint) rows. */
  private Found pairedKeys() {
    List<String> keyAliases = new ArrayList<>();
    for (int i = 0; i < key.size(); i++) {
      keyAliases.add(KEY_PREFIX + i);
    }
    Column[] keyColumns = columns(keyAliases);
    Dataset<Row> perKey =
        withSide(narrowKeyed(oldRows), 0)
            .unionByName(withSide(narrowKeyed(newRows), 1))
            // One shuffle by key; both aggregations below keep that partitioning.
            .repartition(keyColumns)
            .groupBy(withFingerprint(keyAliases))
            .agg(sideCount(0).as(OLD_COUNT), sideCount(1).as(NEW_COUNT))
            .groupBy(keyColumns)
            .agg(
                sum(OLD_COUNT).as(OLD_COUNT),
                sum(NEW_COUNT).as(NEW_COUNT),
                sum(greatest(col(OLD_COUNT).minus(col(NEW_COUNT)), lit(0L))).as(MISSING),
                sum(greatest(col(NEW_COUNT).minus(col(OLD_COUNT)), lit(0L))).as(EXTRA));
    Column duplicate = col(OLD_COUNT).gt(1).or(col(NEW_COUNT).gt(1));
    Column onlyOld = col(NEW_COUNT).equalTo(0);
    Column onlyNew = col(OLD_COUNT).equalTo(0);
    Column changed =
        col(OLD_COUNT).equalTo(1).and(col(NEW_COUNT).equalTo(1)).and(col(MISSING).gt(0));
    // Only keys whose rows differ: a key repeated the same way on both sides is no difference.
    Dataset<Row> interesting =
        perKey
            .where(col(MISSING).gt(0).or(col(EXTRA).gt(0)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row totals =
          interesting
              .agg(
                  sum(MISSING),
                  sum(EXTRA),
                  count(when(onlyOld, lit(1))),
                  count(when(onlyNew, lit(1))),
                  count(when(changed, lit(1))),
                  count(when(duplicate, lit(1))))
              .first();
      long missing = totals.isNullAt(0) ? 0 : totals.getLong(0);
      long extra = totals.isNullAt(1) ? 0 : totals.getLong(1);
      long changedKeys = totals.getLong(4);
      long written = 0;
      Map<String, Long> columnCounts = new LinkedHashMap<>();
      long withinTolerance = 0;
      if (changedKeys > 0) {
        Dataset<Row> keys = interesting.where(changed).select(keyColumns);
        // Few changed keys are broadcast (narrow key rows); many are shuffled, never collected.
        Dataset<Row> paired =
            paired(changedKeys <= BROADCAST_KEYS ? broadcast(keys) : keys.hint("shuffle_hash"));
        List<Column> flags = new ArrayList<>();
        List<Column> figures = new ArrayList<>();
        StructField[] fields = oldRows.schema().fields();
        for (int i = 0; i < fields.length; i++) {
          Column differs = differs(i, fields[i]).as("__dsm_d" + i);
          flags.add(differs);
          figures.add(count(when(col("__dsm_d" + i), lit(1))));
        }
        Dataset<Row> flagged = paired.select(withAll(paired, flags));
        Column anyDiffers = lit(false);
        for (int i = 0; i < fields.length; i++) {
          anyDiffers = anyDiffers.or(col("__dsm_d" + i));
        }
        figures.add(count(when(anyDiffers, lit(1))));
        Row counts =
            flagged
                .agg(figures.get(0), figures.subList(1, figures.size()).toArray(Column[]::new))
                .first();
        for (int i = 0; i < fields.length; i++) {
          columnCounts.put(fields[i].name(), counts.getLong(i));
        }
        long reallyChanged = counts.getLong(fields.length);
        withinTolerance = changedKeys - reallyChanged;
        missing -= withinTolerance;
        extra -= withinTolerance;
        if (samples > 0 && reallyChanged > 0) {
          List<Column> names = new ArrayList<>();
          for (int i = 0; i < fields.length; i++) {
            names.add(when(col("__dsm_d" + i), lit(fields[i].name())));
          }
          written +=
              write(
                  flagged
                      .where(anyDiffers)
                      .limit(samples)
                      .select(
                          lit("changed").as("kind"),
                          json(struct(prefixed(OLD_PREFIX, key))).as("key"),
                          array_compact(array(names.toArray(Column[]::new))).as("columns"),
                          json(struct(prefixed(OLD_PREFIX, fieldNames()))).as("old_value"),
                          json(struct(prefixed(NEW_PREFIX, fieldNames()))).as("new_value")));
        }
      }
      if (samples > 0 && totals.getLong(2) + totals.getLong(3) > 0) {
        written +=
            write(
                keyedRows(oldRows, interesting.where(onlyOld).select(keyColumns), "missing")
                    .unionByName(
                        keyedRows(
                            newRows, interesting.where(onlyNew).select(keyColumns), "extra")));
      }
      return new Found(
          missing,
          extra,
          changedKeys - withinTolerance,
          totals.getLong(2),
          totals.getLong(3),
          totals.getLong(5),
          withinTolerance,
          columnCounts,
          written);
    } finally {
      interesting.unpersist();
    }
  }

  /** Old and new rows of the given keys side by side: old columns as o0.., new as n0... */
  private Dataset<Row> paired(Dataset<Row> keys) {
    Dataset<Row> oldSide =
        prefixedRows(oldRows, OLD_PREFIX).join(keys, keyMatch(OLD_PREFIX), "left_semi");
    Dataset<Row> newSide =
        prefixedRows(newRows, NEW_PREFIX).join(keys, keyMatch(NEW_PREFIX), "left_semi");
    Column on = lit(true);
    for (String column : key) {
      int i = indexOf(column);
      on = on.and(col(OLD_PREFIX + i).eqNullSafe(col(NEW_PREFIX + i)));
    }
    // Full rows are paired by shuffling both sides, never by broadcasting one through the driver.
    return oldSide.join(newSide.hint("shuffle_hash"), on);
  }

  private Column keyMatch(String prefix) {
    Column on = lit(true);
    for (int k = 0; k < key.size(); k++) {
      on = on.and(col(prefix + indexOf(key.get(k))).eqNullSafe(col(KEY_PREFIX + k)));
    }
    return on;
  }

  private Column differs(int i, StructField field) {
    Column old = col(OLD_PREFIX + i);
    Column now = col(NEW_PREFIX + i);
    Tolerance tolerance = tolerances.get(field.name());
    if (tolerance == null) {
      return not(
          Canonical.of(old, field.dataType()).eqNullSafe(Canonical.of(now, field.dataType())));
    }
    Column a = old.cast(DataTypes.DoubleType);
    Column b = now.cast(DataTypes.DoubleType);
    Column allowed =
        greatest(
            lit(tolerance.absolute()),
            lit(tolerance.relative()).multiply(greatest(abs(a), abs(b))));
    Column same =
        when(a.isNull().or(b.isNull()), a.isNull().and(b.isNull()))
            .when(isnan(a).or(isnan(b)), isnan(a).and(isnan(b)))
            .otherwise(abs(a.minus(b)).leq(allowed));
    return not(same);
  }

  private Dataset<Row> keyedRows(Dataset<Row> rows, Dataset<Row> keys, String kind) {
    Dataset<Row> picked =
        prefixedRows(rows, OLD_PREFIX).join(keys, keyMatch(OLD_PREFIX), "left_semi").limit(samples);
    Column json = json(struct(prefixed(OLD_PREFIX, fieldNames())));
    return picked.select(
        lit(kind).as("kind"),
        json(struct(prefixed(OLD_PREFIX, key))).as("key"),
        Canonical.strings(List.of()).as("columns"),
        (kind.equals("missing") ? json : lit(null).cast("string")).as("old_value"),
        (kind.equals("extra") ? json : lit(null).cast("string")).as("new_value"));
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

  private Dataset<Row> narrowKeyed(Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>();
    for (int k = 0; k < key.size(); k++) {
      columns.add(Canonical.column(key.get(k)).as(KEY_PREFIX + k));
    }
    columns.addAll(Fingerprints.row(rows.schema()));
    return rows.select(columns.toArray(Column[]::new));
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

  private static Column[] withFingerprint(List<String> keyAliases) {
    List<Column> columns = new ArrayList<>(List.of(columns(keyAliases)));
    columns.add(col(Fingerprints.HIGH));
    columns.add(col(Fingerprints.LOW));
    return columns.toArray(Column[]::new);
  }

  private static Column[] withAll(Dataset<Row> rows, List<Column> extra) {
    List<Column> columns = new ArrayList<>();
    for (String name : rows.columns()) {
      columns.add(col(name));
    }
    columns.addAll(extra);
    return columns.toArray(Column[]::new);
  }

  private Dataset<Row> prefixedRows(Dataset<Row> rows, String prefix) {
    StructField[] fields = rows.schema().fields();
    Column[] columns = new Column[fields.length];
    for (int i = 0; i < fields.length; i++) {
      columns[i] = Canonical.column(fields[i].name()).as(prefix + i);
    }
    return rows.select(columns);
  }

  /** The prefixed columns of the given names, each named back to its own name (for JSON). */
  private Column[] prefixed(String prefix, List<String> names) {
    Column[] columns = new Column[names.size()];
    for (int n = 0; n < names.size(); n++) {
      columns[n] = col(prefix + indexOf(names.get(n))).as(names.get(n));
    }
    return columns;
  }

  private List<String> fieldNames() {
    return List.of(oldRows.schema().fieldNames());
  }

  private int indexOf(String name) {
    return List.of(oldRows.schema().fieldNames()).indexOf(name);
  }

  /** A row as JSON, nulls included (a null that moved must show). */
  private static Column json(Column row) {
    return org.apache.spark.sql.functions.to_json(row, Map.of("ignoreNullFields", "false"));
  }

  private static Column[] columns(List<String> names) {
    return names.stream().map(Canonical::column).toArray(Column[]::new);
  }
}
