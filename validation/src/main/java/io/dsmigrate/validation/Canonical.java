package io.dsmigrate.validation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How each type enters a fingerprint, so that equal values hash equal and different values do not.
 *
 * <ul>
 *   <li>Every value enters as the pair (is it null, the value), at every level: a null that moves
 *       from one column, struct field, array element or map value to another changes the
 *       fingerprint (Spark's hash functions skip nulls and would not see it). Null is not {@code
 *       ''} and not {@code 'NULL'}.
 *   <li>Floating point: {@code -0.0} is folded into {@code 0.0} and every NaN into one NaN, so NaN
 *       equals NaN (a copy of a NaN is not a difference).
 *   <li>Strings and binary are compared byte for byte: no trimming, no case folding.
 *   <li>Arrays keep their order; map entries are sorted by key, so the order a map was built in
 *       does not matter; structs compare field by field.
 *   <li>Decimals, dates and timestamps hash their exact value; two sides of different numeric types
 *       are first brought to a common type that holds both exactly (see {@link #commonType}).
 * </ul>
 */
final class Canonical {
  private Canonical() {}

  /** The value of {@code column} (of {@code type}) in its canonical form. */
  static Column of(Column column, DataType type) {
    return of(column, type, 0);
  }

  /**
   * Like {@link #of(Column, DataType)}, but floating point values are reduced to {@code digits}
   * significant digits; consumer query results use this, since sums of doubles change in their last
   * bits with the order rows are added in.
   */
  static Column of(Column column, DataType type, int floatDigits) {
    if (type instanceof DoubleType || type instanceof FloatType) {
      Column folded =
          when(isnan(column), lit(Double.NaN).cast(type))
              .when(column.equalTo(lit(0)), lit(0).cast(type))
              .otherwise(column);
      if (floatDigits > 0) {
        return when(isnan(column), lit("NaN"))
            .otherwise(format_string("%." + (floatDigits - 1) + "e", folded));
      }
      return folded;
    }
    if (type instanceof StructType struct) {
      List<Column> fields = new ArrayList<>();
      for (StructField field : struct.fields()) {
        Column value = column.getField(field.name());
        fields.add(value.isNull());
        fields.add(of(value, field.dataType(), floatDigits));
      }
      return fields.isEmpty() ? column.isNull() : struct(fields.toArray(Column[]::new));
    }
    if (type instanceof ArrayType array) {
      DataType element = array.elementType();
      return transform(column, x -> struct(x.isNull(), of(x, element, floatDigits)));
    }
    if (type instanceof MapType map) {
      DataType keyType = map.keyType();
      DataType valueType = map.valueType();
      return array_sort(
          transform(
              map_entries(column),
              entry ->
                  struct(
                      of(entry.getField("key"), keyType, floatDigits),
                      entry.getField("value").isNull(),
                      of(entry.getField("value"), valueType, floatDigits))));
    }
    return column;
  }

  /** True when a canonical value of this type can be ordered (for min/max in profiles). */
  static boolean hasMinMax(DataType type) {
    return type instanceof org.apache.spark.sql.types.NumericType
        || type instanceof org.apache.spark.sql.types.StringType
        || type instanceof org.apache.spark.sql.types.BooleanType
        || type instanceof org.apache.spark.sql.types.DateType
        || type instanceof org.apache.spark.sql.types.TimestampType
        || type instanceof org.apache.spark.sql.types.TimestampNTZType;
  }

  /**
   * The type both sides of a column are compared in, or null to compare in the old side's type.
   * Integral and decimal types widen to a decimal or long that holds every value of both exactly
   * (so {@code 1.50 DECIMAL(10,2)} equals {@code 1.500 DECIMAL(12,3)}); with a floating side, both
   * are compared as double.
   */
  static DataType commonType(DataType left, DataType right) {
    if (left.equals(right)) {
      return left;
    }
    boolean leftFloating = left instanceof DoubleType || left instanceof FloatType;
    boolean rightFloating = right instanceof DoubleType || right instanceof FloatType;
    if ((leftFloating || exactNumeric(left)) && (rightFloating || exactNumeric(right))) {
      if (leftFloating || rightFloating) {
        return DataTypes.DoubleType;
      }
      if (isIntegral(left) && isIntegral(right)) {
        return DataTypes.LongType;
      }
      DecimalType l = asDecimal(left);
      DecimalType r = asDecimal(right);
      int scale = Math.max(l.scale(), r.scale());
      int integerDigits = Math.max(l.precision() - l.scale(), r.precision() - r.scale());
      int precision = Math.min(38, integerDigits + scale);
      return DataTypes.createDecimalType(precision, Math.min(scale, precision));
    }
    return null;
  }

  private static boolean exactNumeric(DataType type) {
    return isIntegral(type) || type instanceof DecimalType;
  }

  private static boolean isIntegral(DataType type) {
    return type instanceof ByteType
        || type instanceof ShortType
        || type instanceof IntegerType
        || type instanceof LongType;
  }

  private static DecimalType asDecimal(DataType type) {
    if (type instanceof DecimalType decimal) {
      return decimal;
    }
    if (type instanceof LongType) {
      return DataTypes.createDecimalType(20, 0);
    }
    if (type instanceof IntegerType) {
      return DataTypes.createDecimalType(10, 0);
    }
    if (type instanceof ShortType) {
      return DataTypes.createDecimalType(5, 0);
    }
    return DataTypes.createDecimalType(3, 0);
  }

  /** A literal array of strings. */
  static Column strings(List<String> values) {
    return array(values.stream().map(value -> lit(value)).toArray(Column[]::new))
        .cast("array<string>");
  }

  static Column column(String name) {
    return col(quote(name));
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
