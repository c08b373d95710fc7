package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.results.ResultsTable;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description =
        "Runs Spark SQL against the warehouse and the results tables and prints every row in full (no truncated cells).")
final class SqlCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL to run.")
  String query;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table, tsv or json (one object per line). Default: ${DEFAULT-VALUE}.")
  String format;

  @Override
  public Integer call() {
    if (!List.of("table", "tsv", "json").contains(format)) {
      throw new IllegalArgumentException("--format must be table, tsv or json, not " + format);
    }
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "sql");
    ResultsTable.in(spark, settings.resultsDatabase());
    Dataset<Row> rows;
    try {
      rows = spark.sql(query);
    } catch (Exception e) { // AnalysisException and ParseException are checked but undeclared
      throw new IllegalArgumentException("the query fails: " + e.getMessage(), e);
    }
    print(rows, format, System.out);
    return Dsmigrate.OK;
  }

  static void print(Dataset<Row> rows, String format, PrintStream out) {
    String[] columns = rows.columns();
    if (format.equals("json")) {
      rows.toJSON().toLocalIterator().forEachRemaining(out::println);
      return;
    }
    List<String[]> cells = new ArrayList<>();
    rows.toLocalIterator().forEachRemaining(row -> cells.add(cells(row)));
    if (format.equals("tsv")) {
      out.println(String.join("\t", columns));
      for (String[] line : cells) {
        out.println(String.join("\t", line));
      }
      return;
    }
    int[] widths = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      widths[i] = columns[i].length();
      for (String[] line : cells) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int width : widths) {
      rule.append("-".repeat(width + 2)).append('+');
    }
    out.println(rule);
    out.println(line(columns, widths));
    out.println(rule);
    for (String[] line : cells) {
      out.println(line(line, widths));
    }
    out.println(rule);
    out.printf("(%d %s)%n", cells.size(), cells.size() == 1 ? "row" : "rows");
  }

  private static String[] cells(Row row) {
    String[] cells = new String[row.length()];
    for (int i = 0; i < row.length(); i++) {
      Object value = row.get(i);
      cells[i] =
          value == null
              ? "NULL"
              : value instanceof scala.collection.Seq<?> seq
                  ? seq.mkString("[", ", ", "]")
                  : String.valueOf(value);
    }
    return cells;
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder text = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      text.append(' ')
          .append(cells[i])
          .append(" ".repeat(widths[i] - cells[i].length()))
          .append(" |");
    }
    return text.toString();
  }
}
