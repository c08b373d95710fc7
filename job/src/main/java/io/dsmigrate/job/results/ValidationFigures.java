package io.dsmigrate.job.results;

import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.QueryOutcome;
import java.util.List;

/**
 * The validation figures of a results row beyond counts and matches: what the keyed diff, the
 * column profiles and the consumer queries found.
 *
 * @param rowsChanged keys once on each side whose rows differ (null without a key)
 * @param keysOnlyOld keys only in the source (null without a key)
 * @param keysOnlyNew keys only in the target (null without a key)
 * @param duplicateKeys keys found more than once (null without a key)
 * @param rowsWithinTolerance paired rows that differ only within tolerances (null without a key)
 * @param columnsDiffering columns whose values differ
 * @param samplesWritten differing rows written to {@code diff_samples}
 * @param queries the outcome of each consumer query
 */
public record ValidationFigures(
    Long rowsChanged,
    Long keysOnlyOld,
    Long keysOnlyNew,
    Long duplicateKeys,
    Long rowsWithinTolerance,
    List<String> columnsDiffering,
    long samplesWritten,
    List<QueryOutcome> queries) {

  public ValidationFigures {
    columnsDiffering = columnsDiffering == null ? List.of() : List.copyOf(columnsDiffering);
    queries = queries == null ? List.of() : List.copyOf(queries);
  }

  public static ValidationFigures of(ComparisonResult comparison, List<QueryOutcome> queries) {
    return new ValidationFigures(
        comparison.rowsChanged(),
        comparison.keysOnlyOld(),
        comparison.keysOnlyNew(),
        comparison.duplicateKeys(),
        comparison.rowsWithinTolerance(),
        comparison.columnsDiffering(),
        comparison.samplesWritten(),
        queries);
  }

  /** Every consumer query gave the same result on both sides (true when there are none). */
  public boolean queriesPassed() {
    return queries.stream().allMatch(QueryOutcome::passed);
  }
}
