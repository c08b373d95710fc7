package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a dataset named the way users name them on the command line: a table name ({@code
 * db.table}) or a path (anything with a '/'); a path is read as Delta when it holds a {@code
 * _delta_log}, else as Parquet.
 */
public final class DatasetSource {
  private DatasetSource() {}

  /** True when {@code name} is a path rather than a table name. */
  public static boolean isPath(String name) {
    return name.contains("/") || name.contains("\\");
  }

  /** Reads the table or path {@code name}. */
  public static Dataset<Row> read(SparkSession spark, String name) {
    requireNonNull(name, "name is null");
    if (!isPath(name)) {
      return spark.table(name);
    }
    return spark.read().format(formatOf(spark, name)).load(name);
  }

  /** "delta" when the directory holds a Delta log, else "parquet". */
  public static String formatOf(SparkSession spark, String path) {
    try {
      Path logDirectory = new Path(path, "_delta_log");
      FileSystem fileSystem = logDirectory.getFileSystem(spark.sessionState().newHadoopConf());
      return fileSystem.exists(logDirectory) ? "delta" : "parquet";
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot inspect " + path + ": " + e.getMessage(), e);
    }
  }
}
