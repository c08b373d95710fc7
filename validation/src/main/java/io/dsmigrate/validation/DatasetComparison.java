package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Compares an old (expected) and a new (actual) dataset: schema, row counts, content as multisets,
 * and with a key, row by row.
 *
 * <p>Passes:
 *
 * <ol>
 *   <li>One scan of each side profiles it: row count, exact sums of 128-bit row fingerprints, per
 *       column nulls, min, max and a column fingerprint, and the fingerprint sums per bucket (of
 *       the key with a key, of the row's own fingerprint without). Equal datasets are proven equal
 *       here, with no shuffle of rows (only the bucket sums are merged); a column whose fingerprint
 *       differs is named even without a key.
 *   <li>Only when the profiles disagree: the rows of the buckets whose sums differ are read out and
 *       diffed, as multisets of (fingerprint, side) without a key, key by key with one ({@link
 *       KeyedDiff}): keys only in old, only in new, changed (with the columns that differ beyond
 *       tolerances) and duplicated (a duplicate key never multiplies rows, since nothing is joined
 *       on it), and samples.
 * </ol>
 *
 * Nothing but small aggregates and the samples reaches the driver.
 *
 * <pre>{@code
 * ComparisonResult result =
 *     DatasetComparison.of(oldRows, newRows).key(List.of("id")).samples(20, sink).execute();
 * }</pre>
 */
public final class DatasetComparison {
  private final Dataset<Row> oldRows;
  private final Dataset<Row> newRows;
  private List<String> key = List.of();
  private final Set<String> ignored = new LinkedHashSet<>();
  private final Map<String, Tolerance> tolerances = new LinkedHashMap<>();
  private int samples;
  private DiffSampleSink sink;
  private int floatDigits;
  private ObservedProfile knownOld;

  private DatasetComparison(Dataset<Row> oldRows, Dataset<Row> newRows) {
    this.oldRows = requireNonNull(oldRows, "oldRows is null");
    this.newRows = requireNonNull(newRows, "newRows is null");
  }

  /** Starts a comparison of {@code oldRows} (what is expected) with {@code newRows}. */
  public static DatasetComparison of(Dataset<Row> oldRows, Dataset<Row> newRows) {
    return new DatasetComparison(oldRows, newRows);
  }

  /** Columns that identify a row; enables the keyed diff. */
  public DatasetComparison key(List<String> columns) {
    this.key = List.copyOf(columns);
    return this;
  }

  /** Columns left out of the comparison (and of the schema check). */
  public DatasetComparison ignore(List<String> columns) {
    columns.forEach(column -> ignored.add(lower(column)));
    return this;
  }

  /** A tolerance for a floating point or decimal column; needs a key. */
  public DatasetComparison tolerance(String column, Tolerance tolerance) {
    tolerances.put(lower(column), requireNonNull(tolerance, "tolerance is null"));
    return this;
  }

  public DatasetComparison tolerances(Map<String, Tolerance> values) {
    values.forEach(this::tolerance);
    return this;
  }

  /** Hands up to {@code limit} differing rows (per kind) to {@code sink}, when there are any. */
  public DatasetComparison samples(int limit, DiffSampleSink sink) {
    if (limit < 0) {
      throw new IllegalArgumentException("the sample limit must be >= 0, got " + limit);
    }
    this.samples = limit;
    this.sink = limit == 0 ? null : requireNonNull(sink, "sink is null");
    return this;
  }

  /**
   * Compares floating point values to {@code digits} significant digits instead of exactly (0 =
   * exactly). Meant for results of aggregate queries, where sums of doubles change in their last
   * bits with the order rows are added in.
   */
  public DatasetComparison floatDigits(int digits) {
    if (digits < 0 || digits > 17) {
      throw new IllegalArgumentException("float digits must be 0..17, got " + digits);
    }
    this.floatDigits = digits;
    return this;
  }

  /**
   * The old side's profile, taken while its rows were written (see {@link ObservedProfile}); the
   * comparison then reads only the new side when both agree. Ignored when it cannot stand for the
   * old side as compared (other columns or types), or when it is not available.
   */
  public DatasetComparison knownOld(ObservedProfile profile) {
    this.knownOld = profile;
    return this;
  }

  /** Runs the comparison. */
  public ComparisonResult execute() {
    Aligned aligned = align();
    Dataset<Row> oldSide = aligned.oldRows;
    Dataset<Row> newSide = aligned.newRows;
    // With a key, each scan also sums its rows per key bucket.
    List<String> byKey = aligned.key;
    SideProfile.Scanned oldScan = null;
    if (knownOld != null && floatDigits == 0) {
      oldScan =
          knownOld
              .profileFor(oldSide.schema())
              .map(p -> new SideProfile.Scanned(p, null))
              .orElse(null);
    }
    boolean observed = oldScan != null;
    SideProfile.Scanned newScan;
    if (observed) {
      newScan = SideProfile.scan(newSide, byKey);
    } else {
      // Both sides at once: each one's last tasks leave cores free that the other's tasks take.
      List<SideProfile.Scanned> scans =
          Concurrently.both(
              oldSide.sparkSession(),
              () -> SideProfile.scan(oldSide, byKey),
              () -> SideProfile.scan(newSide, byKey));
      oldScan = scans.get(0);
      newScan = scans.get(1);
    }
    if (observed && !oldScan.profile().sameRows(newScan.profile())) {
      // The observed figures disagree: prove it from the data itself before saying so (an observed
      // profile can count a task twice when Spark re-runs a lost stage).
      oldScan = SideProfile.scan(oldSide, byKey);
    }
    SideProfile oldProfile = oldScan.profile();
    SideProfile newProfile = newScan.profile();
    if (oldProfile.sameRows(newProfile)) {
      return result(aligned, oldProfile, newProfile, Differences.Found.none(key));
    }
    List<String> differingColumns = new ArrayList<>();
    for (int i = 0; i < oldProfile.columns().size(); i++) {
      if (!oldProfile.columns().get(i).hash().equals(newProfile.columns().get(i).hash())) {
        differingColumns.add(oldProfile.columns().get(i).name());
      }
    }
    Differences differences =
        new Differences(oldSide, newSide, aligned.key, aligned.tolerances, samples, sink);
    Differences.Found found =
        key.isEmpty()
            ? differences.keyless(oldScan.buckets(), newScan.buckets(), differingColumns)
            : differences.keyed(oldScan.buckets(), newScan.buckets());
    return result(aligned, oldProfile, newProfile, found);
  }

  private ComparisonResult result(
      Aligned aligned, SideProfile oldProfile, SideProfile newProfile, Differences.Found found) {
    return result(
        aligned.oldRows.schema().fields(),
        key,
        aligned.schemaDifferences,
        aligned.compared,
        aligned.key,
        oldProfile,
        newProfile,
        found);
  }

  /**
   * The comparison's result from both sides' profiles and what the diff found; {@code fields} are
   * the compared columns (aligned), {@code key} the key as asked for, {@code keyNames} as found.
   */
  static ComparisonResult result(
      StructField[] fields,
      List<String> key,
      List<String> schemaDifferences,
      List<String> compared,
      List<String> keyNames,
      SideProfile oldProfile,
      SideProfile newProfile,
      Differences.Found found) {
    List<ColumnComparison> columns = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      SideProfile.ColumnStats old = oldProfile.columns().get(i);
      SideProfile.ColumnStats now = newProfile.columns().get(i);
      Long differing = key.isEmpty() ? null : found.columnCounts().getOrDefault(old.name(), 0L);
      columns.add(
          new ColumnComparison(
              old.name(),
              fields[i].dataType().simpleString(),
              old.nulls(),
              now.nulls(),
              old.min(),
              old.max(),
              now.min(),
              now.max(),
              old.hash().equals(now.hash()),
              differing));
    }
    return new ComparisonResult(
        oldProfile.rows(),
        newProfile.rows(),
        schemaDifferences.isEmpty(),
        schemaDifferences,
        found.rowsMissing() == 0 && found.rowsExtra() == 0,
        found.rowsMissing(),
        found.rowsExtra(),
        compared,
        keyNames,
        found.rowsChanged(),
        found.keysOnlyOld(),
        found.keysOnlyNew(),
        found.duplicateKeys(),
        found.rowsWithinTolerance(),
        columns,
        found.samplesWritten());
  }

  private record Aligned(
      Dataset<Row> oldRows,
      Dataset<Row> newRows,
      List<String> schemaDifferences,
      List<String> compared,
      List<String> key,
      Map<String, Tolerance> tolerances) {}

  /**
   * Brings both sides to the old side's column names, in the old side's order, each column in a
   * type that holds both sides' values exactly; drops ignored columns; checks key and tolerance
   * columns.
   */
  private Aligned align() {
    Map<String, StructField> oldFields = fieldsByName(oldRows.schema());
    Map<String, StructField> newFields = fieldsByName(newRows.schema());
    for (String column : ignored) {
      if (!oldFields.containsKey(column) && !newFields.containsKey(column)) {
        throw new IllegalArgumentException(
            "cannot ignore column '"
                + column
                + "': neither side has it (old columns: "
                + String.join(", ", names(oldRows.schema()))
                + ")");
      }
    }
    List<String> schemaDifferences = new ArrayList<>();
    List<String> compared = new ArrayList<>();
    List<Column> oldColumns = new ArrayList<>();
    List<Column> newColumns = new ArrayList<>();
    Map<String, DataType> types = new LinkedHashMap<>();
    for (Map.Entry<String, StructField> entry : oldFields.entrySet()) {
      if (ignored.contains(entry.getKey())) {
        continue;
      }
      StructField oldField = entry.getValue();
      StructField newField = newFields.get(entry.getKey());
      if (newField == null) {
        schemaDifferences.add("column '" + oldField.name() + "' is missing in new");
        continue;
      }
      DataType oldType = oldField.dataType();
      DataType newType = newField.dataType();
      Column oldColumn = Canonical.column(oldField.name());
      Column newColumn = Canonical.column(newField.name());
      DataType type = oldType;
      if (!sameType(oldType, newType)) {
        schemaDifferences.add(
            "column '"
                + oldField.name()
                + "' is "
                + oldType.simpleString()
                + " in old but "
                + newType.simpleString()
                + " in new");
        DataType common = Canonical.commonType(oldType, newType);
        type = common == null ? oldType : common;
        oldColumn = oldColumn.cast(type);
        newColumn = newColumn.cast(type);
      }
      types.put(entry.getKey(), type);
      compared.add(oldField.name());
      oldColumns.add(oldColumn.as(oldField.name()));
      newColumns.add(newColumn.as(oldField.name()));
    }
    for (Map.Entry<String, StructField> entry : newFields.entrySet()) {
      if (!oldFields.containsKey(entry.getKey()) && !ignored.contains(entry.getKey())) {
        schemaDifferences.add("column '" + entry.getValue().name() + "' is new");
      }
    }
    List<String> keyNames = new ArrayList<>();
    for (String column : key) {
      String name = lower(column);
      if (!types.containsKey(name)) {
        throw new IllegalArgumentException(
            "cannot use '"
                + column
                + "' as a key column: "
                + (ignored.contains(name) ? "it is ignored" : "both sides must have it")
                + " (compared columns: "
                + String.join(", ", compared)
                + ")");
      }
      keyNames.add(oldFields.get(name).name());
    }
    Map<String, Tolerance> namedTolerances = new LinkedHashMap<>();
    for (Map.Entry<String, Tolerance> entry : tolerances.entrySet()) {
      DataType type = types.get(entry.getKey());
      if (type == null) {
        throw new IllegalArgumentException(
            "cannot apply a tolerance to column '"
                + entry.getKey()
                + "': it is not compared (compared columns: "
                + String.join(", ", compared)
                + ")");
      }
      if (!(type instanceof DoubleType
          || type instanceof FloatType
          || type instanceof DecimalType)) {
        throw new IllegalArgumentException(
            "cannot apply a tolerance to column '"
                + entry.getKey()
                + "': it is "
                + type.simpleString()
                + "; tolerances apply to float, double and decimal columns");
      }
      if (key.isEmpty()) {
        throw new IllegalArgumentException(
            "a tolerance for column '"
                + entry.getKey()
                + "' needs a key to pair rows by; give the key columns (spec validation.key or"
                + " --key)");
      }
      namedTolerances.put(oldFields.get(entry.getKey()).name(), entry.getValue());
    }
    Dataset<Row> oldProjected = oldRows.select(oldColumns.toArray(Column[]::new));
    Dataset<Row> newProjected = newRows.select(newColumns.toArray(Column[]::new));
    if (floatDigits > 0) {
      oldProjected = roundFloats(oldProjected);
      newProjected = roundFloats(newProjected);
    }
    return new Aligned(
        oldProjected, newProjected, schemaDifferences, compared, keyNames, namedTolerances);
  }

  private Dataset<Row> roundFloats(Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : rows.schema().fields()) {
      Column value = Canonical.column(field.name());
      boolean floating =
          field.dataType() instanceof DoubleType || field.dataType() instanceof FloatType;
      columns.add(
          floating ? Canonical.of(value, field.dataType(), floatDigits).as(field.name()) : value);
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  private static Map<String, StructField> fieldsByName(StructType schema) {
    Map<String, StructField> fields = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      fields.put(lower(field.name()), field);
    }
    return fields;
  }

  private static List<String> names(StructType schema) {
    List<String> names = new ArrayList<>();
    for (StructField field : schema.fields()) {
      names.add(field.name());
    }
    return names;
  }

  // Spark resolves column names case-insensitively by default; so does the comparison.
  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static boolean sameType(DataType left, DataType right) {
    return left.asNullable().sameType(right.asNullable());
  }
}
