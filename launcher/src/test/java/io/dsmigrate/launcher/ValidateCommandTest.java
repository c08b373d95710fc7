package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code dsmigrate validate} and {@code dsmigrate bench-validation} as people and scripts use them:
 * exit codes, what they print, what they keep.
 */
class ValidateCommandTest extends SparkTestBase {
  private Outcome dsmigrate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--workdir");
    all.add(2, temp.resolve("work").toString());
    return Cli.dsmigrate(all.toArray(String[]::new));
  }

  @Test
  void validateJsonCountsExactDifferencesAndIgnoresOrderAndLayout() throws Exception {
    String ddl = "id INT, a STRING, b STRING";
    rows(ddl, row(1, "x", null), row(2, "y", "z"), row(2, "y", "z"), row(3, null, "w"))
        .coalesce(1)
        .write()
        .parquet(path("old"));
    rows(ddl, row(3, null, "w"), row(2, "y", "z"), row(1, "x", null), row(2, "y", "z"))
        .repartition(3)
        .write()
        .parquet(path("same"));
    rows(ddl, row(1, "x", null), row(2, "y", "Z"), row(2, "y", "z"), row(3, null, "w"))
        .write()
        .parquet(path("cell"));
    rows(ddl, row(1, "x", null), row(2, "y", "z"), row(3, null, "w"))
        .write()
        .parquet(path("dedup"));
    rows(ddl, row(1, null, "x"), row(2, "y", "z"), row(2, "y", "z"), row(3, "w", null))
        .write()
        .parquet(path("moved"));
    rows(ddl, row(1, "x", null), row(2, "y", "z"), row(2, "y", "z"), row(3, null, "w"))
        .write()
        .format("delta")
        .save(path("delta"));

    JsonNode same = validate(path("old"), path("same"), 0);
    assertThat(same.get("equal").asBoolean()).isTrue();
    assertThat(same.get("rowsOld").asLong()).isEqualTo(4);
    assertThat(same.get("rowsNew").asLong()).isEqualTo(4);
    assertThat(validate(path("old"), path("delta"), 0).get("contentMatch").asBoolean()).isTrue();

    JsonNode cell = validate(path("old"), path("cell"), 1);
    assertThat(cell.get("schemaMatch").asBoolean()).isTrue();
    assertThat(cell.get("contentMatch").asBoolean()).isFalse();
    assertThat(cell.get("rowsMissing").asLong()).isEqualTo(1);
    assertThat(cell.get("rowsExtra").asLong()).isEqualTo(1);

    JsonNode dedup = validate(path("old"), path("dedup"), 1);
    assertThat(dedup.get("rowsMissing").asLong()).isEqualTo(1);
    assertThat(dedup.get("rowsExtra").asLong()).isZero();

    JsonNode moved = validate(path("old"), path("moved"), 1);
    assertThat(moved.get("rowsMissing").asLong()).isEqualTo(2);
    assertThat(moved.get("rowsExtra").asLong()).isEqualTo(2);

    assertThat(
            dsmigrate("validate", "--old", path("old"), "--new", path("same"), "--key", "nope")
                .code())
        .isEqualTo(2);
  }

  @Test
  void validateWithAKeyPrintsChangedRowsPerColumnAndKeepsSamples() throws Exception {
    String ddl = "id INT, region STRING, amount DOUBLE";
    rows(ddl, row(1, "n", 10.0), row(2, "s", 20.0), row(3, "s", 30.0), row(4, "e", 40.0))
        .write()
        .parquet(path("k_old"));
    rows(ddl, row(1, "n", 10.0), row(2, "S", 20.001), row(3, "s", 31.0), row(5, "w", 50.0))
        .write()
        .format("delta")
        .save(path("k_new"));
    String results = "-Ddsmigrate.results.database=cli_validate";
    Outcome outcome =
        dsmigrate(
            "validate",
            "--old",
            path("k_old"),
            "--new",
            path("k_new"),
            "--key",
            "id",
            "--tolerance",
            "amount=0.01",
            "--query",
            "SELECT count(*) AS n FROM dataset",
            "--query",
            "SELECT region, count(*) AS n FROM dataset GROUP BY region",
            "--id",
            "sales",
            "--json",
            results);
    assertThat(outcome.code()).as(outcome.err()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(outcome.out().strip());
    assertThat(json.get("rowsChanged").asLong()).isEqualTo(2);
    assertThat(json.get("keysOnlyOld").asLong()).isEqualTo(1);
    assertThat(json.get("keysOnlyNew").asLong()).isEqualTo(1);
    assertThat(json.get("duplicateKeys").asLong()).isZero();
    assertThat(json.get("columnsDiffering").toString()).isEqualTo("[\"region\",\"amount\"]");
    assertThat(json.get("columns").get(1).get("name").asText()).isEqualTo("region");
    assertThat(json.get("columns").get(1).get("rowsDiffering").asLong()).isEqualTo(1);
    assertThat(json.get("columns").get(2).get("rowsDiffering").asLong()).isEqualTo(1);
    assertThat(json.get("queries").get(0).get("passed").asBoolean()).isTrue();
    assertThat(json.get("queries").get(1).get("passed").asBoolean()).isFalse();
    assertThat(json.get("samplesWritten").asLong()).isEqualTo(4);

    Outcome samples =
        dsmigrate(
            "sql",
            "SELECT kind, key, columns FROM cli_validate.diff_samples WHERE dataset_id = 'sales'"
                + " ORDER BY kind, key",
            "--format",
            "tsv",
            results);
    assertThat(samples.code()).as(samples.err()).isZero();
    assertThat(samples.out())
        .contains("changed\t{\"id\":2}\t[region]")
        .contains("changed\t{\"id\":3}\t[amount]")
        .contains("extra\t{\"id\":5}")
        .contains("missing\t{\"id\":4}");

    Outcome noKey =
        dsmigrate(
            "validate",
            "--old",
            path("k_old"),
            "--new",
            path("k_new"),
            "--tolerance",
            "amount=0.01",
            results);
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains("needs a key");
  }

  @Test
  void validationBenchmarkTimesEveryMethodAndChecksTheyAgree() {
    Outcome bench =
        dsmigrate(
            "bench-validation",
            "--rows",
            "3000",
            "--runs",
            "2",
            "-Ddsmigrate.results.database=cli_bench");
    assertThat(bench.code()).as(bench.out() + bench.err()).isZero();
    assertThat(bench.out())
        .containsPattern(
            "medians of 2 runs each; keyed diff / join run by run: [0-9.]+ / [0-9.]+ s"
                + " \\([0-9.]+x\\), [0-9.]+ / [0-9.]+ s")
        .contains("ratio exceptAll / dsmigrate:")
        .contains("(all report equal: true)")
        .contains("ratio full outer join / dsmigrate keyed:")
        .containsPattern(
            "floor: reading every value of both sides once, as rows, takes [0-9.]+ s; the join")
        .contains(
            "found: 2 changed keys (columns [amount, note]), 1 keys only in old, 1 duplicate keys;")
        .contains("all methods agree: true");
  }

  @Test
  void validationBenchmarkRefusesFewerThanOneRun() {
    Outcome bench = dsmigrate("bench-validation", "--rows", "3000", "--runs", "0");
    assertThat(bench.code()).as(bench.out() + bench.err()).isEqualTo(2);
    assertThat(bench.err()).contains("--runs must be 1 or more, got 0");
  }

  private JsonNode validate(String oldPath, String newPath, int expectedCode) throws Exception {
    Outcome outcome =
        dsmigrate(
            "validate",
            "--old",
            oldPath,
            "--new",
            newPath,
            "--json",
            "-Ddsmigrate.results.database=cli_validate_json");
    assertThat(outcome.code()).as(outcome.err()).isEqualTo(expectedCode);
    return new ObjectMapper().readTree(outcome.out().strip());
  }
}
