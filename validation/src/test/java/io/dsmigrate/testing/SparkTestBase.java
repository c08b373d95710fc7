package io.dsmigrate.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.io.TempDir;

/** Base class for tests that need Spark: the shared session, a temp directory, row helpers. */
public abstract class SparkTestBase {
  @TempDir protected Path temp;

  protected static SparkSession spark() {
    return SharedSpark.session();
  }

  /** A DataFrame from a DDL schema ("id INT, name STRING") and rows given as value arrays. */
  protected static Dataset<Row> rows(String ddl, Object[]... values) {
    List<Row> rows = new ArrayList<>();
    for (Object[] value : values) {
      rows.add(RowFactory.create(value));
    }
    return spark().createDataFrame(rows, StructType.fromDDL(ddl));
  }

  protected static Object[] row(Object... values) {
    return values;
  }

  /** The rows of a dataset as sorted strings, for readable order-independent assertions. */
  protected static List<String> sortedRows(Dataset<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row row : rows.collectAsList()) {
      out.add(row.toString());
    }
    String[] sorted = out.toArray(String[]::new);
    Arrays.sort(sorted);
    return List.of(sorted);
  }

  protected String path(String name) {
    return temp.resolve(name).toString();
  }
}
