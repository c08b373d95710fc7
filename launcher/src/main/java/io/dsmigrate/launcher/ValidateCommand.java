package io.dsmigrate.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.Settings;
import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.DatasetComparison;
import io.dsmigrate.validation.DatasetSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Compares two datasets: schema, row counts and rows as multisets (order and file layout do not matter).",
      "SRC is a table name or a path (Delta if it holds _delta_log, else Parquet). Exit 0 when equal, 1 when they differ."
    })
final class ValidateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--old",
      required = true,
      paramLabel = "SRC",
      description = "The old (expected) dataset.")
  String oldSource;

  @Option(names = "--new", required = true, paramLabel = "SRC", description = "The new dataset.")
  String newSource;

  @Option(
      names = "--key",
      split = ",",
      paramLabel = "C1,C2",
      description = "Columns that identify a row (checked to exist on both sides).")
  List<String> key = List.of();

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "validate");
    Dataset<Row> oldRows = read(spark, oldSource, "--old");
    Dataset<Row> newRows = read(spark, newSource, "--new");
    for (String column : key) {
      for (Dataset<Row> side : List.of(oldRows, newRows)) {
        if (Arrays.stream(side.columns()).noneMatch(c -> c.equalsIgnoreCase(column))) {
          throw new IllegalArgumentException(
              "key column '"
                  + column
                  + "' is not in "
                  + (side == oldRows ? oldSource : newSource)
                  + " (columns: "
                  + String.join(", ", side.columns())
                  + "); fix --key");
        }
      }
    }
    spark
        .sparkContext()
        .setJobGroup("dsmigrate/validate", "validate " + oldSource + " vs " + newSource, true);
    ComparisonResult result = DatasetComparison.of(oldRows, newRows).execute();
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("old", oldSource);
      out.put("new", newSource);
      out.put("equal", result.equal());
      out.put("rowsOld", result.rowsOld());
      out.put("rowsNew", result.rowsNew());
      out.put("schemaMatch", result.schemaMatch());
      out.put("schemaDifferences", result.schemaDifferences());
      out.put("contentMatch", result.contentMatch());
      out.put("rowsMissing", result.rowsMissing());
      out.put("rowsExtra", result.rowsExtra());
      out.put("comparedColumns", result.comparedColumns());
      out.put("key", key);
      System.out.println(new ObjectMapper().writeValueAsString(out));
    } else {
      System.out.println((result.equal() ? "EQUAL: " : "DIFFERENT: ") + result.summary());
    }
    return result.equal() ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  private static Dataset<Row> read(SparkSession spark, String source, String option) {
    try {
      return DatasetSource.read(spark, source);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot read " + option + " " + source + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.strip().lines().findFirst().orElse("");
  }
}
