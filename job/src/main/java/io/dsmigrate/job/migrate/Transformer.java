package io.dsmigrate.job.migrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Applies a spec's transform to the source rows. Column operations run in order rename, cast, drop,
 * add; a {@code sql} or {@code script} transform is one SELECT over the view {@code source}. Every
 * mistake is reported against the dataset, the column and the spec line to fix, before any data
 * moves (the result is analysed here, not when it is written).
 */
final class Transformer {
  private Transformer() {}

  static Dataset<Row> apply(SparkSession session, Dataset<Row> source, DatasetSpec spec) {
    TransformSpec transform = spec.transform();
    Dataset<Row> rows;
    if (transform.sql() != null) {
      rows = query(session, source, spec, transform.sql(), "transform.sql");
    } else if (transform.script() != null) {
      rows = query(session, source, spec, readScript(session, spec), "transform.script");
    } else {
      rows = columns(source, spec);
    }
    return rows;
  }

  private static Dataset<Row> columns(Dataset<Row> rows, DatasetSpec spec) {
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
      SparkSession session, Dataset<Row> source, DatasetSpec spec, String sql, String field) {
    // Each dataset has its own session, so the view name 'source' never collides.
    source.createOrReplaceTempView("source");
    try {
      Dataset<Row> rows = session.sql(sql.strip().replaceAll(";\\s*$", ""));
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

  private static String readScript(SparkSession session, DatasetSpec spec) {
    String location = spec.transform().script();
    try {
      Path path = new Path(location);
      FileSystem fileSystem = path.getFileSystem(session.sessionState().newHadoopConf());
      try (InputStream in = fileSystem.open(path)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR,
          "Cannot migrate "
              + spec.id()
              + ": cannot read the script "
              + location
              + ": "
              + e.getMessage()
              + ". Fix transform.script in "
              + spec.at("transform.script"),
          e);
    }
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
