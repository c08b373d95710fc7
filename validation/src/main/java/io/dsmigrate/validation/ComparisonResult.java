package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a comparison of an old (expected) and a new (actual) dataset found.
 *
 * <p>Rows are compared as multisets over the columns both sides share: {@code rowsMissing} counts
 * rows of old that new lacks (a duplicate counts once per extra copy), {@code rowsExtra} counts
 * rows of new that old lacks.
 *
 * @param rowsOld rows in the old dataset
 * @param rowsNew rows in the new dataset
 * @param schemaMatch both sides have the same column names and types (nullability and column order
 *     are not compared)
 * @param schemaDifferences one readable line per schema difference, empty when schemaMatch
 * @param contentMatch the rows of both sides are equal as multisets over the shared columns
 * @param rowsMissing rows of old not in new (multiset)
 * @param rowsExtra rows of new not in old (multiset)
 * @param comparedColumns the columns whose values were compared
 */
public record ComparisonResult(
    long rowsOld,
    long rowsNew,
    boolean schemaMatch,
    List<String> schemaDifferences,
    boolean contentMatch,
    long rowsMissing,
    long rowsExtra,
    List<String> comparedColumns) {

  public ComparisonResult {
    schemaDifferences = List.copyOf(requireNonNull(schemaDifferences, "schemaDifferences is null"));
    comparedColumns = List.copyOf(requireNonNull(comparedColumns, "comparedColumns is null"));
  }

  /** Same schema and same rows: the new dataset can replace the old one. */
  public boolean equal() {
    return schemaMatch && contentMatch;
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
    if (!schemaMatch) {
      text.append(", schema differs: ").append(String.join("; ", schemaDifferences));
    }
    return text.toString();
  }
}
