package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a query that consumers run over the old data and over the new data (each bound to the view
 * {@code dataset}) and compares the two results the way datasets are compared: as multisets, by
 * value, floating point values to a number of significant digits.
 *
 * <pre>{@code
 * QueryOutcome outcome =
 *     ConsumerQuery.of("SELECT region, sum(amount) FROM dataset GROUP BY region")
 *         .execute(oldRows, newRows);
 * }</pre>
 */
public final class ConsumerQuery {
  /** The view name queries read. */
  public static final String VIEW = "dataset";

  private final String oldSql;
  private final String newSql;
  private int floatDigits = 12;

  private ConsumerQuery(String oldSql, String newSql) {
    this.oldSql = requireNonNull(oldSql, "oldSql is null");
    this.newSql = requireNonNull(newSql, "newSql is null");
  }

  /** The same query over both sides. */
  public static ConsumerQuery of(String sql) {
    return new ConsumerQuery(sql, sql);
  }

  /** One query for the old side and one for the new (when the migration renames columns). */
  public static ConsumerQuery of(String oldSql, String newSql) {
    return new ConsumerQuery(oldSql, newSql);
  }

  /** Significant digits floating point results are compared to (0 = exactly; default 12). */
  public ConsumerQuery floatDigits(int digits) {
    this.floatDigits = digits;
    return this;
  }

  /**
   * Runs the query over both sides in their session (both must share one), whose temp view {@code
   * dataset} it replaces and then drops; concurrent callers need sessions of their own ({@link
   * SparkSession#newSession}).
   */
  public QueryOutcome execute(Dataset<Row> oldRows, Dataset<Row> newRows) {
    SparkSession session = oldRows.sparkSession();
    if (newRows.sparkSession() != session) {
      throw new IllegalArgumentException("both sides of a consumer query must share one session");
    }
    String text = oldSql.equals(newSql) ? oldSql : "old: " + oldSql + " | new: " + newSql;
    Dataset<Row> oldResult;
    Dataset<Row> newResult;
    try {
      // spark.sql analyses at once, so each result keeps the view as it was bound then.
      oldRows.createOrReplaceTempView(VIEW);
      try {
        oldResult = session.sql(strip(oldSql));
      } catch (Exception e) { // AnalysisException and ParseException are checked but undeclared
        return new QueryOutcome(
            text, false, null, null, 0, 0, "fails on the old data: " + firstLine(e));
      }
      newRows.createOrReplaceTempView(VIEW);
      try {
        newResult = session.sql(strip(newSql));
      } catch (Exception e) {
        return new QueryOutcome(
            text, false, null, null, 0, 0, "fails on the new data: " + firstLine(e));
      }
    } finally {
      session.catalog().dropTempView(VIEW);
    }
    ComparisonResult result;
    try {
      result = DatasetComparison.of(oldResult, newResult).floatDigits(floatDigits).execute();
    } catch (Exception e) {
      return new QueryOutcome(
          text, false, null, null, 0, 0, "fails while running: " + firstLine(e));
    }
    boolean sameColumns =
        result.comparedColumns().size() == oldResult.columns().length
            && result.comparedColumns().size() == newResult.columns().length;
    boolean passed = sameColumns && result.contentMatch();
    String detail =
        passed && result.schemaMatch()
            ? ""
            : (result.contentMatch() ? "" : "results differ: " + result.summary())
                + (result.schemaMatch()
                    ? ""
                    : (result.contentMatch() ? "" : "; ")
                        + "result columns: "
                        + String.join("; ", result.schemaDifferences()));
    return new QueryOutcome(
        text,
        passed,
        result.rowsOld(),
        result.rowsNew(),
        result.rowsMissing(),
        result.rowsExtra(),
        detail);
  }

  private static String strip(String sql) {
    return sql.strip().replaceAll(";\\s*$", "");
  }

  private static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.strip().lines().findFirst().orElse("");
  }
}
