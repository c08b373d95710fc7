package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.Fleet;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Runs every SQL cell of every notebook against a real results table, so the notebooks never rot.
 */
class NotebookTest extends SparkTestBase {
  private static final Path NOTEBOOKS = Path.of("..", "notebooks");

  @Test
  void everySqlCellOfEveryNotebookRunsAgainstARealResultsTable() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS nb_legacy");
    spark()
        .range(12)
        .selectExpr("id", "CAST(id AS STRING) AS s")
        .write()
        .format("parquet")
        .saveAsTable("nb_legacy.a");
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(
        specs,
        """
        datasets:
          - { id: nb.a, source: { table: nb_legacy.a }, target: { table: nb_new.a }, consumers: [ finance ] }
          - { id: nb.b, source: { table: nb_legacy.missing }, target: { table: nb_new.b } }
          - id: nb.c
            source: { table: nb_legacy.a }
            target: { table: nb_new.c }
            transform: { cast: { s: int } }
            validation: { queries: [ "SELECT max(s) AS top FROM dataset" ] }
        """);
    Settings settings =
        Settings.load(
            null,
            Map.of(
                "dsmigrate.workdir", temp.toString(), "dsmigrate.results.database", "dsmigrate"));
    Plan plan = Planner.of(spark()).plan(SpecLoader.load(List.of(specs)).orThrow());
    Fleet.of(spark(), settings)
        .runId("run-notebook")
        .plan(plan.planId(), 0)
        .execute(plan.datasets());

    Map<String, List<Row>> results = new LinkedHashMap<>();
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(NOTEBOOKS)) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks).isNotEmpty();
    for (Path notebook : notebooks) {
      JsonNode cells = new ObjectMapper().readTree(notebook.toFile()).get("cells");
      for (JsonNode cell : cells) {
        if (!cell.get("cell_type").asText().equals("code")) {
          continue;
        }
        StringBuilder source = new StringBuilder();
        cell.get("source").forEach(line -> source.append(line.asText()));
        String text = source.toString();
        assertThat(text).as("code cells of %s are Spark SQL", notebook).startsWith("%%sql\n");
        String query = text.substring("%%sql\n".length());
        String name =
            query
                .lines()
                .filter(l -> l.startsWith("-- name: "))
                .findFirst()
                .orElse(query)
                .replace("-- name: ", "");
        List<Row> rows = spark().sql(query).collectAsList();
        results.put(name, rows);
      }
    }
    assertThat(results.get("failures_by_error_class"))
        .extracting(row -> row.getString(0) + "=" + row.getLong(1))
        .containsExactlyInAnyOrder("SOURCE_NOT_FOUND=1", "QUERY_MISMATCH=1");
    assertThat(results.get("datasets_per_status_per_run"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.<Long>getAs("succeeded")).isEqualTo(1);
              assertThat(row.<Long>getAs("failed")).isEqualTo(2);
            });
    assertThat(results.get("waves_of_latest_run"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.<Integer>getAs("wave")).isEqualTo(1);
              assertThat(row.<Long>getAs("datasets")).isEqualTo(3);
              assertThat(row.<Long>getAs("failed")).isEqualTo(2);
              assertThat(row.<Long>getAs("not_started")).isZero();
            });
    assertThat(results.get("validation_mismatches")).isEmpty();
    assertThat(results.get("consumers_to_notify"))
        .singleElement()
        .satisfies(row -> assertThat(row.getString(0)).isEqualTo("finance"));
    assertThat(results.get("current_state")).hasSize(3);
    // max('9') over strings before the cast, max(11) after it.
    assertThat(results.get("consumer_queries_that_changed"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.getString(1)).isEqualTo("nb.c");
              assertThat(row.getString(2)).isEqualTo("SELECT max(s) AS top FROM dataset");
            });
    assertThat(results.get("validation_detail")).isEmpty();
    assertThat(results.get("diff_samples_latest_run")).isEmpty();
    assertThat(results.get("cut_over_tables")).isEmpty();
  }
}
