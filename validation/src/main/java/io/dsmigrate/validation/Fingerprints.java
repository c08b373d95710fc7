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
 * <p>A row's fingerprint is 128 bits: two independent xxhash64 chains over the canonical (is null,
 * value) pairs of its columns, one in column order and one in reverse order with another seed, so
 * the two halves never share an intermediate state. A collision between two different rows is a
 * 2^-128 event, not a practical risk for billions of rows.
 *
 * <p>A multiset of rows is summarised by the exact sums of its fingerprints. The sums are kept as
 * three 64-bit partial sums per 64-bit hash (bits 43-63, 22-42 and 0-21), each of which cannot
 * overflow below 2^41 rows, so ANSI mode never throws and no slow 38-digit decimal arithmetic is
 * needed. Unlike XOR, sums do not let duplicate rows cancel out.
 */
final class Fingerprints {
  static final String HIGH = "__dsm_fp_high";
  static final String LOW = "__dsm_fp_low";

  private static final long SEED_HIGH = 0x5eed1L;
  private static final long SEED_LOW = 0x5eed2L;
  private static final long SEED_COLUMN = 0x5eed3L;

  private Fingerprints() {}

  /** The two 64-bit halves of each row's fingerprint, as columns named HIGH and LOW. */
  static List<Column> row(StructType schema) {
    List<Column> forward = new ArrayList<>();
    forward.add(lit(SEED_HIGH));
    for (StructField field : schema.fields()) {
      Column value = Canonical.column(field.name());
      forward.add(value.isNull());
      forward.add(Canonical.of(value, field.dataType()));
    }
    List<Column> backward = new ArrayList<>();
    backward.add(lit(SEED_LOW));
    for (int i = forward.size() - 1; i >= 1; i--) {
      backward.add(forward.get(i));
    }
    return List.of(
        xxhash64(forward.toArray(Column[]::new)).as(HIGH),
        xxhash64(backward.toArray(Column[]::new)).as(LOW));
  }

  /** A 64-bit hash of one column's canonical (is null, value) pair. */
  static Column column(Column value, StructField field) {
    return xxhash64(lit(SEED_COLUMN), value.isNull(), Canonical.of(value, field.dataType(), 0));
  }

  /** Three exact partial sums of a 64-bit hash column (see the class comment). */
  static List<Column> sums(Column hash) {
    return List.of(
        sum(shiftrightunsigned(hash, 43)),
        sum(shiftrightunsigned(hash, 22).bitwiseAND(lit((1L << 21) - 1))),
        sum(hash.bitwiseAND(lit((1L << 22) - 1))));
  }
}
