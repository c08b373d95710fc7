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
 * db.table}) or a path (anything with a '/' or a URI scheme); a path is read as Delta when it holds
 * a {@code _delta_log}, else as Parquet. A path must be absolute ({@code /...} or a URI): a
 * relative one is refused, never read against the current directory or taken for a table name.
 */
public final class DatasetSource {
  private DatasetSource() {}

  /** True when {@code name} is a path rather than a table name. */
  public static boolean isPath(String name) {
    return name.contains("/") || name.contains("\\") || name.contains(":");
  }

  /** Reads the table or path {@code name}. */
  public static Dataset<Row> read(SparkSession spark, String name) {
    requireNonNull(name, "name is null");
    if (!isPath(name)) {
      return spark.table(name);
    }
    if (!name.startsWith("/") && !name.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is a relative path: write it absolute (/... or a URI such as hdfs://nn/...),"
              + " or name a table as db.table");
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
