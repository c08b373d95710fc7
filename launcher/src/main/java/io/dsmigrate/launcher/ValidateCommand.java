package io.dsmigrate.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.results.DiffSamplesTable;
import io.dsmigrate.job.results.ResultsTable;
import io.dsmigrate.validation.ColumnComparison;
import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.ConsumerQuery;
import io.dsmigrate.validation.DatasetComparison;
import io.dsmigrate.validation.DatasetSource;
import io.dsmigrate.validation.QueryOutcome;
import io.dsmigrate.validation.Tolerance;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
      "Compares two datasets: schema, row counts, rows as multisets (order and file layout do not"
          + " matter), per-column profiles; with --key also row by row (changed keys, keys on one"
          + " side only, duplicate keys, differing columns).",
      "SRC is a table name or a path (Delta if it holds _delta_log, else Parquet). Differing rows"
          + " go to <results database>.diff_samples. Exit 0 when equal (and every --query gives"
          + " the same result), 1 when they differ, 2 on bad options."
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
      description = "Columns that identify a row; enables the keyed diff.")
  List<String> key = List.of();

  @Option(
      names = "--ignore",
      split = ",",
      paramLabel = "C1,C2",
      description = "Columns left out of the comparison.")
  List<String> ignore = List.of();

  @Option(
      names = "--tolerance",
      paramLabel = "COLUMN=TOLERANCE",
      description =
          "How far a float/decimal column may differ: 0.01 (absolute), 1e-9 relative, 0.5%%."
              + " Needs --key. Repeatable.")
  Map<String, String> tolerances = new LinkedHashMap<>();

  @Option(
      names = "--query",
      paramLabel = "SQL",
      description =
          "A query consumers run, over the view 'dataset'; it runs over both sides and must give"
              + " the same result. Repeatable.")
  List<String> queries = List.of();

  @Option(
      names = "--samples",
      paramLabel = "N",
      description =
          "Differing rows kept per kind in diff_samples (default: dsmigrate.validation.samples).")
  Integer samples;

  @Option(
      names = "--id",
      paramLabel = "NAME",
      description = "The name samples are recorded under (default: OLD vs NEW).")
  String id;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Settings settings = common.settings();
    int sampleLimit = samples != null ? samples : settings.validationSamples();
    if (sampleLimit < 0) {
      throw new IllegalArgumentException("--samples must be 0 or more, got " + sampleLimit);
    }
    Map<String, Tolerance> parsed = new LinkedHashMap<>();
    tolerances.forEach(
        (column, text) -> {
          try {
            parsed.put(column, Tolerance.parse(text));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; fix --tolerance " + column);
          }
        });
    SparkSession spark = Sessions.start(settings, "validate");
    Dataset<Row> oldRows = read(spark, oldSource, "--old");
    Dataset<Row> newRows = read(spark, newSource, "--new");
    String name = id != null ? id : oldSource + " vs " + newSource;
    String runId =
        "validate-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    spark.sparkContext().setJobGroup("dsmigrate/validate", "validate " + name, true);

    DatasetComparison comparison =
        DatasetComparison.of(oldRows, newRows).key(key).ignore(ignore).tolerances(parsed);
    DiffSamplesTable samplesTable = null;
    if (sampleLimit > 0) {
      ResultsTable.in(spark, settings.resultsDatabase());
      samplesTable = DiffSamplesTable.of(settings.resultsDatabase());
      comparison.samples(sampleLimit, samplesTable.sink(runId, name));
    }
    ComparisonResult result;
    try {
      result = comparison.execute();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage() + "; fix --key, --ignore or --tolerance", e);
    }
    List<QueryOutcome> outcomes = new ArrayList<>();
    for (String query : queries) {
      outcomes.add(
          ConsumerQuery.of(query)
              .floatDigits(settings.queryFloatDigits())
              .execute(oldRows, newRows));
    }
    boolean passed = result.equal() && outcomes.stream().allMatch(QueryOutcome::passed);
    if (json) {
      System.out.println(
          new ObjectMapper()
              .writeValueAsString(json(result, outcomes, passed, samplesTable, runId)));
    } else {
      System.out.println((result.equal() ? "EQUAL: " : "DIFFERENT: ") + result.summary());
      for (ColumnComparison column : result.columns()) {
        if (column.differs()) {
          System.out.println(
              "  column "
                  + column.name()
                  + (column.rowsDiffering() != null
                      ? ": differs in " + column.rowsDiffering() + " paired rows"
                      : ": values differ")
                  + " (nulls old="
                  + column.nullsOld()
                  + " new="
                  + column.nullsNew()
                  + ", min/max old="
                  + column.minOld()
                  + "/"
                  + column.maxOld()
                  + " new="
                  + column.minNew()
                  + "/"
                  + column.maxNew()
                  + ")");
        }
      }
      for (QueryOutcome outcome : outcomes) {
        System.out.println(
            "  query "
                + (outcome.passed() ? "SAME" : "CHANGED")
                + ": "
                + outcome.query()
                + (outcome.detail().isEmpty() ? "" : " (" + outcome.detail() + ")"));
      }
      if (result.samplesWritten() > 0) {
        System.out.println(
            "  "
                + result.samplesWritten()
                + " differing rows in "
                + samplesTable.name()
                + " (run_id = '"
                + runId
                + "')");
      }
    }
    return passed ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  private Map<String, Object> json(
      ComparisonResult result,
      List<QueryOutcome> outcomes,
      boolean passed,
      DiffSamplesTable samplesTable,
      String runId) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("old", oldSource);
    out.put("new", newSource);
    out.put("equal", passed);
    out.put("rowsOld", result.rowsOld());
    out.put("rowsNew", result.rowsNew());
    out.put("schemaMatch", result.schemaMatch());
    out.put("schemaDifferences", result.schemaDifferences());
    out.put("contentMatch", result.contentMatch());
    out.put("rowsMissing", result.rowsMissing());
    out.put("rowsExtra", result.rowsExtra());
    out.put("comparedColumns", result.comparedColumns());
    out.put("key", result.key());
    out.put("rowsChanged", result.rowsChanged());
    out.put("keysOnlyOld", result.keysOnlyOld());
    out.put("keysOnlyNew", result.keysOnlyNew());
    out.put("duplicateKeys", result.duplicateKeys());
    out.put("rowsWithinTolerance", result.rowsWithinTolerance());
    out.put("columnsDiffering", result.columnsDiffering());
    out.put("columns", result.columns());
    out.put("queries", outcomes);
    out.put("samplesWritten", result.samplesWritten());
    if (samplesTable != null) {
      out.put("samplesTable", samplesTable.name());
      out.put("samplesRunId", runId);
    }
    return out;
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
