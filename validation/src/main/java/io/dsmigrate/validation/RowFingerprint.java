package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * A 128-bit fingerprint per row (two independent 64-bit xxhash64 chains), computed by Spark
 * expressions on the executors.
 *
 * <p>Each column enters the hash as the pair (is it null, its value), in column order, so a null
 * that moves from one column to another changes the fingerprint (xxhash64 alone skips nulls and
 * would not see it). {@code -0.0} is folded into {@code 0.0}; map entries are sorted so that the
 * order in which a map was built does not matter.
 */
final class RowFingerprint {
  static final String HIGH = "__dsm_fp_high";
  static final String LOW = "__dsm_fp_low";

  private RowFingerprint() {}

  /** The rows reduced to their two fingerprint columns. */
  static Dataset<Row> of(Dataset<Row> rows) {
    List<Column> forward = new ArrayList<>();
    forward.add(lit(0x5eed1L));
    for (StructField field : rows.schema().fields()) {
      Column column = col(DatasetComparison.quote(field.name()));
      forward.add(column.isNull());
      forward.add(canonical(column, field.dataType()));
    }
    // The second chain hashes the same inputs in reverse order with another start value, so the
    // two 64-bit halves do not share their intermediate states.
    List<Column> backward = new ArrayList<>();
    backward.add(lit(0x5eed2L));
    for (int i = forward.size() - 1; i >= 1; i--) {
      backward.add(forward.get(i));
    }
    return rows.select(
        xxhash64(forward.toArray(Column[]::new)).as(HIGH),
        xxhash64(backward.toArray(Column[]::new)).as(LOW));
  }

  private static Column canonical(Column column, DataType type) {
    if (type instanceof DoubleType || type instanceof FloatType) {
      return when(column.equalTo(lit(0)), lit(0).cast(type)).otherwise(column);
    }
    if (type instanceof MapType) {
      return array_sort(map_entries(column));
    }
    return column;
  }
}
