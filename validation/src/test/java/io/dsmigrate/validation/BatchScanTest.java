package io.dsmigrate.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.SparkTestBase;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.junit.jupiter.api.Test;

/**
 * String columns read as column batches: Parquet keeps a column either as ids into a dictionary or
 * as plain values, and the profile scan reads each its own way. Either way the profile (hashes,
 * nulls, min and max) must be that of the same rows read as rows.
 */
class BatchScanTest extends SparkTestBase {

  /**
   * Three sets of rows, each written to its own file, so one task reads several files whose
   * dictionaries give the same ids to other strings. Strings sorted up and down (a new min or max
   * on every row), sharing their first eight bytes, shorter than eight bytes, with a zero byte, and
   * with bytes above 0x7F (compared unsigned).
   */
  private static final List<String> PARTS =
      List.of(
          "SELECT id, element_at(array('north', 'south', NULL), CAST(id % 3 AS INT) + 1) AS few,"
              + " concat('note-', 1000 + id) AS up, concat('note-', 9000 - id) AS down,"
              + " CASE WHEN id % 5 = 0 THEN NULL ELSE concat('abcdefgh', id % 7) END AS prefixed"
              + " FROM range(0, 60)",
          "SELECT id, element_at(array('east', 'west'), CAST(id % 2 AS INT) + 1) AS few,"
              + " concat('note-', 1000 + id) AS up, concat('note-', 9000 - id) AS down,"
              + " element_at(array('', 'ab', concat('ab', char(0)), 'abcdefgh', 'abcdefgh\u00e9'),"
              + "   CAST(id % 5 AS INT) + 1) AS prefixed"
              + " FROM range(60, 110)",
          "SELECT id, element_at(array('\u00e9t\u00e9', '\u6f22\u5b57', 'zz'), CAST(id % 3 AS INT) + 1)"
              + " AS few, concat('note-', 1000 + id) AS up, concat('note-', 9000 - id) AS down,"
              + " CASE WHEN id % 2 = 0 THEN '\u00ff\u00ff' ELSE concat('a', id) END AS prefixed"
              + " FROM range(110, 150)");

  @Test
  void stringColumnsGiveTheSameProfileWhetherDictionaryOrPlainEncoded() {
    Dataset<Row> rows = spark().sql(String.join(" UNION ALL ", PARTS));
    SideProfile expected = SideProfile.of(rows);
    for (boolean dictionary : List.of(true, false)) {
      String path = path(dictionary ? "dictionary" : "plain");
      for (String part : PARTS) {
        spark()
            .sql(part)
            .coalesce(1)
            .write()
            .mode("append")
            .option("parquet.enable.dictionary", Boolean.toString(dictionary))
            .parquet(path);
      }
      for (String batchSize : List.of("7", "4096")) {
        spark().conf().set("spark.sql.parquet.columnarReaderBatchSize", batchSize);
        try {
          Dataset<Row> read =
              spark().read().parquet(path).select("id", "few", "up", "down", "prefixed");
          Batches batches = Batches.of(read);
          assertThat(batches).as("read as column batches").isNotNull();
          assertThat(encodedAsDictionary(batches, 1))
              .as("the column 'few' comes as dictionary ids")
              .isEqualTo(dictionary);
          String what = (dictionary ? "dictionary" : "plain") + ", batches of " + batchSize;
          assertThat(SideProfile.of(read)).as(what).isEqualTo(expected);
          assertThat(SideProfile.scan(read, List.of("up")).buckets())
              .as(what + ": sums per key bucket")
              .isEqualTo(SideProfile.scan(rows, List.of("up")).buckets());
        } finally {
          spark().conf().unset("spark.sql.parquet.columnarReaderBatchSize");
        }
      }
    }
  }

  /** Whether any batch holds column {@code c} as dictionary ids. */
  private static boolean encodedAsDictionary(Batches batches, int c) {
    int at = batches.ordinals()[c];
    return batches
        .batches()
        .toJavaRDD()
        .map(
            batch ->
                batch.column(at) instanceof WritableColumnVector vector && vector.hasDictionary())
        .collect()
        .contains(true);
  }
}
