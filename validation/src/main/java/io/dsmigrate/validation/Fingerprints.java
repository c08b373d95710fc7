package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Fingerprints of rows and columns, computed by Spark expressions on the executors.
 *
 * <p>Each value is hashed twice, with two seeds, as the canonical pair (is null, value); a row's
 * fingerprint is 128 bits: one xxhash64 chain over the first hashes in column order and one over
 * the second hashes in reverse order, so the two halves never share an intermediate state. A
 * collision between two different rows is a 2^-128 event, not a practical risk for billions of
 * rows. The first hash of each column doubles as the column's own fingerprint.
 *
 * <p>A multiset of rows is summarised by the exact sums of its fingerprints. The sums are kept as
 * three 64-bit partial sums per 64-bit hash (bits 43-63, 22-42 and 0-21), each of which cannot
 * overflow below 2^41 rows, so ANSI mode never throws and no slow 38-digit decimal arithmetic is
 * needed. Unlike XOR, sums do not let duplicate rows cancel out.
 */
final class Fingerprints {
  static final String HIGH = "__dsm_fp_high";
  static final String LOW = "__dsm_fp_low";

  static final long SEED_HIGH = 0x5eed1L;
  static final long SEED_LOW = 0x5eed2L;
  static final long SEED_COLUMN = 0x5eed3L;
  static final long SEED_COLUMN_LOW = 0x5eed5L;
  static final long SEED_BUCKET = 0x5eed4L;
  static final long SEED_KEY_HIGH = 0x5eed6L;
  static final long SEED_KEY_LOW = 0x5eed7L;

  private Fingerprints() {}

  /** The two 64-bit halves of each row's fingerprint, as columns named HIGH and LOW. */
  static List<Column> row(StructType schema) {
    return row(schema, firstHashes(schema), secondHashes(schema));
  }

  /**
   * The row fingerprint from per-column hashes: HIGH chains the first hashes in column order, LOW
   * the second (independently seeded) hashes in reverse order. Two rows collide only if, for a
   * differing value, both of its 64-bit hashes collide, or the chains do: a 2^-128 event.
   */
  static List<Column> row(StructType schema, List<Column> first, List<Column> second) {
    List<Column> forward = new ArrayList<>();
    forward.add(lit(SEED_HIGH));
    forward.addAll(first);
    List<Column> backward = new ArrayList<>();
    backward.add(lit(SEED_LOW));
    for (int i = second.size() - 1; i >= 0; i--) {
      backward.add(second.get(i));
    }
    return List.of(
        xxhash64(forward.toArray(Column[]::new)).as(HIGH),
        xxhash64(backward.toArray(Column[]::new)).as(LOW));
  }

  /**
   * The two 64-bit halves of a 128-bit hash of the key columns' canonical (is null, value) pairs:
   * keys with the same canonical values hash the same, others collide as rarely as rows do.
   */
  static List<Column> key(StructType schema, List<String> key) {
    List<List<Column>> pairs = keyPairs(schema, key);
    List<List<Column>> reversed = new ArrayList<>(pairs);
    java.util.Collections.reverse(reversed);
    return List.of(chain(SEED_KEY_HIGH, pairs), chain(SEED_KEY_LOW, reversed));
  }

  /** Each key column's canonical (is null, value) pair, in the key's order. */
  static List<List<Column>> keyPairs(StructType schema, List<String> key) {
    List<List<Column>> pairs = new ArrayList<>();
    for (String column : key) {
      Column value = Canonical.column(column);
      pairs.add(List.of(value.isNull(), Canonical.of(value, schema.apply(column).dataType())));
    }
    return pairs;
  }

  /** Spark's xxhash64 of {@code seed} followed by the given pairs' columns, in order. */
  static Column chain(long seed, List<List<Column>> pairs) {
    List<Column> inputs = new ArrayList<>();
    inputs.add(lit(seed));
    pairs.forEach(inputs::addAll);
    return xxhash64(inputs.toArray(Column[]::new));
  }

  /** Each column's first hash (also its column fingerprint). */
  static List<Column> firstHashes(StructType schema) {
    return columnHashes(schema, SEED_COLUMN);
  }

  /** Each column's second, independently seeded hash. */
  static List<Column> secondHashes(StructType schema) {
    return columnHashes(schema, SEED_COLUMN_LOW);
  }

  /** One 64-bit hash per column of its canonical (is null, value) pair, with the given seed. */
  private static List<Column> columnHashes(StructType schema, long seed) {
    List<Column> hashes = new ArrayList<>();
    for (StructField field : schema.fields()) {
      hashes.add(column(Canonical.column(field.name()), field, seed));
    }
    return hashes;
  }

  /** A 64-bit hash of one column's canonical (is null, value) pair. */
  static Column column(Column value, StructField field) {
    return column(value, field, SEED_COLUMN);
  }

  private static Column column(Column value, StructField field, long seed) {
    return xxhash64(lit(seed), value.isNull(), Canonical.of(value, field.dataType(), 0));
  }

  /** Three exact partial sums of a 64-bit hash column (see the class comment). */
  static List<Column> sums(Column hash) {
    return List.of(
        sum(shiftrightunsigned(hash, 43)),
        sum(shiftrightunsigned(hash, 22).bitwiseAND(lit((1L << 21) - 1))),
        sum(hash.bitwiseAND(lit((1L << 22) - 1))));
  }
}
