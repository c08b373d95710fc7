package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

/**
 * Compares an old (expected) and a new (actual) dataset: schema, row counts and an
 * order-independent multiset comparison of the rows.
 *
 * <p>Equal datasets are proven equal in one Spark job that scans each side once and ships two small
 * rows to the driver: per side the row count and two sums of 64-bit row fingerprints (accumulated
 * as {@code decimal(38,0)}, which cannot overflow under ANSI mode). Only when those disagree does a
 * second job count rows missing and extra, shuffling narrow (fingerprint, side) rows, never full
 * rows, and never pulling rows to the driver.
 *
 * <pre>{@code
 * ComparisonResult result = DatasetComparison.of(oldRows, newRows).execute();
 * }</pre>
 */
public final class DatasetComparison {
  private static final String SIDE = "__dsm_side";
  private static final String OLD_COUNT = "__dsm_old";
  private static final String NEW_COUNT = "__dsm_new";

  private final Dataset<Row> oldRows;
  private final Dataset<Row> newRows;

  private DatasetComparison(Dataset<Row> oldRows, Dataset<Row> newRows) {
    this.oldRows = requireNonNull(oldRows, "oldRows is null");
    this.newRows = requireNonNull(newRows, "newRows is null");
  }

  /** Starts a comparison of {@code oldRows} (what is expected) with {@code newRows}. */
  public static DatasetComparison of(Dataset<Row> oldRows, Dataset<Row> newRows) {
    return new DatasetComparison(oldRows, newRows);
  }

  /** Runs the comparison. */
  public ComparisonResult execute() {
    Map<String, StructField> oldFields = fieldsByName(oldRows);
    Map<String, StructField> newFields = fieldsByName(newRows);
    List<String> schemaDifferences = new ArrayList<>();
    List<String> compared = new ArrayList<>();
    List<Column> oldColumns = new ArrayList<>();
    List<Column> newColumns = new ArrayList<>();
    for (Map.Entry<String, StructField> entry : oldFields.entrySet()) {
      StructField oldField = entry.getValue();
      StructField newField = newFields.get(entry.getKey());
      if (newField == null) {
        schemaDifferences.add("column '" + oldField.name() + "' is missing in new");
        continue;
      }
      DataType oldType = oldField.dataType();
      Column newColumn = col(quote(newField.name()));
      if (!sameType(oldType, newField.dataType())) {
        schemaDifferences.add(
            "column '"
                + oldField.name()
                + "' is "
                + oldType.simpleString()
                + " in old but "
                + newField.dataType().simpleString()
                + " in new");
        newColumn = newColumn.cast(oldType);
      }
      compared.add(oldField.name());
      oldColumns.add(col(quote(oldField.name())).as(oldField.name()));
      newColumns.add(newColumn.as(oldField.name()));
    }
    for (StructField newField : newFields.values()) {
      if (!oldFields.containsKey(key(newField.name()))) {
        schemaDifferences.add("column '" + newField.name() + "' is new");
      }
    }

    Dataset<Row> oldProjected = oldRows.select(oldColumns.toArray(Column[]::new));
    Dataset<Row> newProjected = newRows.select(newColumns.toArray(Column[]::new));
    Dataset<Row> fingerprints =
        RowFingerprint.of(oldProjected)
            .withColumn(SIDE, lit(0))
            .unionByName(RowFingerprint.of(newProjected).withColumn(SIDE, lit(1)));

    // One global aggregate (no grouping): each task folds its rows into six numbers, and a
    // single small final task adds them up.
    List<Column> totalColumns = new ArrayList<>(sideTotals(0));
    totalColumns.addAll(sideTotals(1));
    Row totals =
        fingerprints
            .agg(
                totalColumns.get(0),
                totalColumns.subList(1, totalColumns.size()).toArray(Column[]::new))
            .first();
    Side oldSide = new Side(totals.getLong(0), totals.getDecimal(1), totals.getDecimal(2));
    Side newSide = new Side(totals.getLong(3), totals.getDecimal(4), totals.getDecimal(5));

    long rowsMissing = 0;
    long rowsExtra = 0;
    if (!oldSide.equals(newSide)) {
      Row difference =
          fingerprints
              .groupBy(RowFingerprint.HIGH, RowFingerprint.LOW)
              .agg(
                  count(when(col(SIDE).equalTo(0), lit(1))).as(OLD_COUNT),
                  count(when(col(SIDE).equalTo(1), lit(1))).as(NEW_COUNT))
              .agg(
                  sum(greatest(col(OLD_COUNT).minus(col(NEW_COUNT)), lit(0L))),
                  sum(greatest(col(NEW_COUNT).minus(col(OLD_COUNT)), lit(0L))))
              .first();
      rowsMissing = difference.isNullAt(0) ? 0 : difference.getLong(0);
      rowsExtra = difference.isNullAt(1) ? 0 : difference.getLong(1);
    }
    return new ComparisonResult(
        oldSide.rows,
        newSide.rows,
        schemaDifferences.isEmpty(),
        schemaDifferences,
        rowsMissing == 0 && rowsExtra == 0,
        rowsMissing,
        rowsExtra,
        compared);
  }

  private static List<Column> sideTotals(int side) {
    Column onSide = col(SIDE).equalTo(side);
    return List.of(
        count(when(onSide, lit(1))),
        sum(when(onSide, col(RowFingerprint.HIGH).cast("decimal(38,0)"))),
        sum(when(onSide, col(RowFingerprint.LOW).cast("decimal(38,0)"))));
  }

  private static Map<String, StructField> fieldsByName(Dataset<Row> rows) {
    Map<String, StructField> fields = new LinkedHashMap<>();
    for (StructField field : rows.schema().fields()) {
      fields.put(key(field.name()), field);
    }
    return fields;
  }

  // Spark resolves column names case-insensitively by default; so does the comparison.
  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static boolean sameType(DataType left, DataType right) {
    return left.asNullable().sameType(right.asNullable());
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private record Side(long rows, BigDecimal high, BigDecimal low) {

    Side {
      high = high == null ? BigDecimal.ZERO : high;
      low = low == null ? BigDecimal.ZERO : low;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Side side
          && rows == side.rows
          && high.compareTo(side.high) == 0
          && low.compareTo(side.low) == 0;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(rows);
    }
  }
}
