package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a comparison of an old (expected) and a new (actual) dataset found.
 *
 * <p>Rows are compared as multisets over the columns both sides share (minus ignored ones): {@code
 * rowsMissing} counts rows of old that new lacks (a duplicate counts once per extra copy), {@code
 * rowsExtra} rows of new that old lacks. With a key, rows are also paired by key: {@code
 * rowsChanged} counts keys present once on each side whose rows differ (beyond tolerances), and
 * each column says in how many of those rows it differs.
 *
 * @param rowsOld rows in the old dataset
 * @param rowsNew rows in the new dataset
 * @param schemaMatch both sides have the same column names and types (nullability and column order
 *     are not compared; ignored columns are not compared)
 * @param schemaDifferences one readable line per schema difference, empty when schemaMatch
 * @param contentMatch the rows of both sides are equal as multisets (within tolerances)
 * @param rowsMissing rows of old not in new (multiset)
 * @param rowsExtra rows of new not in old (multiset)
 * @param comparedColumns the columns whose values were compared
 * @param key the key columns (empty for a keyless comparison)
 * @param rowsChanged with a key: keys once on each side whose rows differ; null without a key
 * @param keysOnlyOld with a key: distinct keys found only in old; null without a key
 * @param keysOnlyNew with a key: distinct keys found only in new; null without a key
 * @param duplicateKeys with a key: distinct keys whose rows differ between the sides and that occur
 *     more than once on either side (their rows are compared as multisets, never joined); a key
 *     repeated the same way on both sides is no difference and is not counted; null without a key
 * @param rowsWithinTolerance with a key: paired rows that differ only within tolerances (counted as
 *     equal); null without a key
 * @param columns per compared column: profile of each side and whether it differs
 * @param samplesWritten differing rows handed to the sample sink
 */
public record ComparisonResult(
    long rowsOld,
    long rowsNew,
    boolean schemaMatch,
    List<String> schemaDifferences,
    boolean contentMatch,
    long rowsMissing,
    long rowsExtra,
    List<String> comparedColumns,
    List<String> key,
    Long rowsChanged,
    Long keysOnlyOld,
    Long keysOnlyNew,
    Long duplicateKeys,
    Long rowsWithinTolerance,
    List<ColumnComparison> columns,
    long samplesWritten)
    implements java.io.Serializable {

  public ComparisonResult {
    schemaDifferences = List.copyOf(requireNonNull(schemaDifferences, "schemaDifferences is null"));
    comparedColumns = List.copyOf(requireNonNull(comparedColumns, "comparedColumns is null"));
    key = List.copyOf(requireNonNull(key, "key is null"));
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** Same schema and same rows: the new dataset can replace the old one. */
  public boolean equal() {
    return schemaMatch && contentMatch;
  }

  /** The columns that differ (per paired row with a key, as multisets without one). */
  public List<String> columnsDiffering() {
    return columns.stream().filter(ColumnComparison::differs).map(ColumnComparison::name).toList();
  }

  /** A one-line account for logs and error messages. */
  public String summary() {
    StringBuilder text =
        new StringBuilder()
            .append("rows old=")
            .append(rowsOld)
            .append(" new=")
            .append(rowsNew)
            .append(", missing=")
            .append(rowsMissing)
            .append(", extra=")
            .append(rowsExtra);
    if (rowsChanged != null) {
      text.append(", changed=").append(rowsChanged);
    }
    if (duplicateKeys != null && duplicateKeys > 0) {
      text.append(", duplicate keys=").append(duplicateKeys);
    }
    List<String> differing = columnsDiffering();
    if (!differing.isEmpty()) {
      text.append(", columns differing: ").append(String.join(", ", differing));
    }
    if (!schemaMatch) {
      text.append(", schema differs: ").append(String.join("; ", schemaDifferences));
    }
    return text.toString();
  }
}
