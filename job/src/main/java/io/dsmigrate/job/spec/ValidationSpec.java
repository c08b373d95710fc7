package io.dsmigrate.job.spec;

import io.dsmigrate.validation.Tolerance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a dataset is validated after it is written (the spec's {@code validation:} block).
 *
 * @param key columns that identify a row; enables the keyed diff (also settable as {@code key:} at
 *     the top of the spec)
 * @param ignore columns left out of the comparison
 * @param tolerances per float/decimal column, how far new may be from old (needs a key)
 * @param queries queries consumers run; each runs over the old and the new data as the view {@code
 *     dataset} and must give the same result
 * @param samples how many differing rows to keep in {@code diff_samples} (null: the configured
 *     default)
 */
public record ValidationSpec(
    List<String> key,
    List<String> ignore,
    Map<String, Tolerance> tolerances,
    List<ConsumerQuery> queries,
    Integer samples) {
  public static final ValidationSpec NONE = new ValidationSpec(null, null, null, null, null);

  public ValidationSpec {
    key = key == null ? List.of() : List.copyOf(key);
    ignore = ignore == null ? List.of() : List.copyOf(ignore);
    tolerances =
        tolerances == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tolerances));
    queries = queries == null ? List.of() : List.copyOf(queries);
  }

  /**
   * A consumer query: the same SQL for both sides, or one per side when the migration renames what
   * the query reads.
   *
   * @param oldSql runs over the old data as {@code dataset}
   * @param newSql runs over the new data as {@code dataset}
   */
  public record ConsumerQuery(String oldSql, String newSql) {
    public ConsumerQuery {
      java.util.Objects.requireNonNull(oldSql, "oldSql is null");
      java.util.Objects.requireNonNull(newSql, "newSql is null");
    }

    /** The query as people wrote it, for results and messages. */
    public String text() {
      return oldSql.equals(newSql) ? oldSql : "old: " + oldSql + " | new: " + newSql;
    }
  }
}
