package io.dsmigrate.job.migrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.security.ReadOnlySelect;
import io.dsmigrate.job.security.SecuritySettings;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import io.dsmigrate.job.spec.ValidationSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Applies a spec's transform to the source rows. Column operations run in order rename, cast, drop,
 * add; a {@code sql} or {@code script} transform is one SELECT over the view {@code source}. Every
 * mistake is reported against the dataset, the column and the spec line to fix, before any data
 * moves (the result is analysed here, not when it is written).
 */
public final class Transformer {
  private Transformer() {}

  /**
   * The transformed rows. SQL and column expressions are checked against {@code security} first
   * (again: specs were checked when they loaded, but a plan may be run with other settings, and a
   * script may have changed since).
   */
  public static Dataset<Row> apply(
      SparkSession session, Dataset<Row> source, DatasetSpec spec, SecuritySettings security) {
    TransformSpec transform = spec.transform();
    Dataset<Row> rows;
    if (transform.sql() != null) {
      rows = query(session, source, spec, security, transform.sql(), "transform.sql");
    } else if (transform.script() != null) {
      rows =
          query(
              session,
              source,
              spec,
              security,
              // The text the job read when the dataset started (its hash is of that text).
              transform.scriptText() != null
                  ? transform.scriptText()
                  : Scripts.read(session, spec, security),
              "transform.script");
    } else {
      rows = columns(session, source, spec, security);
    }
    return rows;
  }

  /**
   * Consumer queries read only the view {@code dataset}, as transforms read only {@code source}.
   * Checked before anything is written, so that a refused query costs no write to undo.
   */
  static void checkConsumerQueries(
      SparkSession session, DatasetSpec spec, SecuritySettings security) {
    for (ValidationSpec.ConsumerQuery query : spec.validation().queries()) {
      for (String sql : List.of(query.oldSql(), query.newSql())) {
        checkSelect(session, spec, security, sql, "dataset", "validation.queries");
      }
    }
  }

  private static void checkSelect(
      SparkSession session,
      DatasetSpec spec,
      SecuritySettings security,
      String sql,
      String view,
      String field) {
    LogicalPlan parsed;
    try {
      parsed = session.sessionState().sqlParser().parsePlan(strip(sql));
    } catch (Exception e) { // ParseException is checked; running the SQL reports it in full
      return;
    }
    refuseIfAny(spec, field, ReadOnlySelect.check(parsed, view, security));
  }

  /** Fails the dataset (NOT_ALLOWED) when a security rule refused {@code field}. */
  static void refuseIfAny(DatasetSpec spec, String field, List<String> violations) {
    if (!violations.isEmpty()) {
      throw new MigrationException(
          ErrorClass.NOT_ALLOWED,
          "Cannot migrate "
              + spec.id()
              + ": "
              + field
              + " "
              + String.join("; ", violations)
              + ". Nothing was read or written. Fix "
              + field
              + " in "
              + spec.at(field));
    }
  }

  private static Dataset<Row> columns(
      SparkSession session, Dataset<Row> rows, DatasetSpec spec, SecuritySettings security) {
    TransformSpec transform = spec.transform();
    for (Map.Entry<String, String> rename : transform.rename().entrySet()) {
      String column = existing(rows, spec, rename.getKey(), "transform.rename." + rename.getKey());
      rows = rows.withColumnRenamed(column, rename.getValue());
    }
    for (Map.Entry<String, String> cast : transform.cast().entrySet()) {
      String column = existing(rows, spec, cast.getKey(), "transform.cast." + cast.getKey());
      rows = rows.withColumn(column, col(quote(column)).cast(cast.getValue()));
    }
    for (String drop : transform.drop()) {
      rows = rows.drop(existing(rows, spec, drop, "transform.drop"));
    }
    for (Map.Entry<String, String> add : transform.add().entrySet()) {
      Expression parsed = null;
      try {
        parsed = session.sessionState().sqlParser().parseExpression(add.getValue());
      } catch (Exception e) { // ParseException is checked; expr() below reports it in full
      }
      if (parsed != null) {
        refuseIfAny(spec, "transform.add." + add.getKey(), ReadOnlySelect.check(parsed, security));
      }
      try {
        rows = rows.withColumn(add.getKey(), expr(add.getValue()));
        rows.schema();
      } catch (Exception e) { // AnalysisException is checked but undeclared
        throw new MigrationException(
            ErrorClass.SQL_ERROR,
            "Cannot migrate "
                + spec.id()
                + ": the expression '"
                + add.getValue()
                + "' for new column '"
                + add.getKey()
                + "' fails: "
                + Failures.firstLine(e.getMessage())
                + ". Fix transform.add."
                + add.getKey()
                + " in "
                + spec.at("transform.add." + add.getKey()),
            e);
      }
    }
    return rows;
  }

  private static String existing(Dataset<Row> rows, DatasetSpec spec, String name, String field) {
    Optional<String> found =
        Arrays.stream(rows.columns()).filter(column -> column.equalsIgnoreCase(name)).findFirst();
    if (found.isEmpty()) {
      throw new MigrationException(
          ErrorClass.COLUMN_NOT_FOUND,
          "Cannot migrate "
              + spec.id()
              + ": column '"
              + name
              + "' not found in source "
              + spec.source().describe()
              + " (columns: "
              + String.join(", ", rows.columns())
              + "). Fix "
              + field
              + " in "
              + spec.at(field));
    }
    return found.get();
  }

  private static Dataset<Row> query(
      SparkSession session,
      Dataset<Row> source,
      DatasetSpec spec,
      SecuritySettings security,
      String sql,
      String field) {
    checkSelect(session, spec, security, sql, "source", field);
    // Each dataset has its own session, so the view name 'source' never collides.
    source.createOrReplaceTempView("source");
    try {
      Dataset<Row> rows = session.sql(strip(sql));
      rows.schema();
      return rows;
    } catch (Exception e) { // AnalysisException is checked but undeclared
      String condition =
          e instanceof org.apache.spark.SparkThrowable spark && spark.getCondition() != null
              ? spark.getCondition()
              : "";
      ErrorClass errorClass =
          condition.startsWith("UNRESOLVED_COLUMN")
              ? ErrorClass.COLUMN_NOT_FOUND
              : ErrorClass.SQL_ERROR;
      throw new MigrationException(
          errorClass,
          "Cannot migrate "
              + spec.id()
              + ": the SQL transform fails on source "
              + spec.source().describe()
              + ": "
              + Failures.firstLine(e.getMessage())
              + ". Fix "
              + field
              + " in "
              + spec.at(field),
          e);
    }
  }

  /** SQL as written in a spec, without the ';' it may end with. */
  static String strip(String sql) {
    return sql.strip().replaceAll(";\\s*$", "");
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
