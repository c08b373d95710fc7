package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code plan} prints a summary (per wave: datasets per path and transform kind; why datasets take
 * the Spark path; the unresolved ones), not a line per dataset; {@code --verbose} lists every
 * dataset, and the plan JSON always has each one's path and reason.
 */
class PlanCommandTest extends SparkTestBase {
  private Outcome dsmigrate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--workdir");
    all.add(2, temp.resolve("work").toString());
    return Cli.dsmigrate(all.toArray(String[]::new));
  }

  @Test
  void planPrintsCountsByWavePathAndTransformKindAndVerboseListsEveryDataset() throws Exception {
    spark().range(10).selectExpr("id", "id * 2 AS v").write().parquet(path("shared"));
    Path specs = temp.resolve("specs");
    Files.createDirectories(specs);
    StringBuilder yaml = new StringBuilder("datasets:\n");
    for (int i = 0; i < 12; i++) {
      String transform =
          i % 3 == 0
              ? ""
              : i % 3 == 1
                  ? ", transform: { rename: { v: value } }"
                  : ", transform: { sql: \"SELECT id FROM source\" }";
      yaml.append(
          "  - { id: p%02d, source: { path: '%s' }, target: { table: pcmd_new.p%02d }%s }\n"
              .formatted(i, path("shared"), i, transform));
    }
    yaml.append(
        "  - { id: lost, source: { table: pcmd_legacy.lost }, target: { table: pcmd_new.lost } }\n");
    Files.writeString(specs.resolve("many.yaml"), yaml);
    Path json = temp.resolve("plan.json");

    Outcome plan =
        dsmigrate("plan", "--specs", specs.toString(), "--pilot", "0", "--out", json.toString());
    assertThat(plan.code()).as(plan.err()).isEqualTo(1); // one source is not there
    assertThat(plan.out())
        .contains("13 datasets in 1 waves, 1 partitions")
        .contains("Wave 1: 13 datasets in 1 partitions")
        .containsPattern("agent\\s+8\\s+\\(transform columns: 4, transform none: 4\\)")
        .containsPattern("spark\\s+4\\s+\\(transform sql: 4\\)")
        .containsPattern("unresolved\\s+1\\s+\\(transform none: 1\\)")
        .containsPattern("Spark path because:\\s+4\\s+transform is SQL")
        .contains("Unresolved sources: 1 datasets")
        .contains("lost: Cannot migrate lost: source table pcmd_legacy.lost does not exist")
        .doesNotContain("p05")
        .doesNotContain("partition 0:");

    Map<String, String> paths = new TreeMap<>();
    for (JsonNode partition : new ObjectMapper().readTree(json.toFile()).get("partitions")) {
      for (JsonNode dataset : partition.get("datasets")) {
        paths.put(
            dataset.get("spec").get("id").asText(),
            dataset.get("path").asText() + " / " + dataset.get("pathReason").asText());
      }
    }
    assertThat(paths).hasSize(13);
    assertThat(paths.get("p01")).startsWith("agent / ");
    assertThat(paths.get("p02")).isEqualTo("spark / transform is SQL");
    assertThat(paths.get("lost")).isEqualTo("spark / source not resolved");

    Outcome verbose =
        dsmigrate(
            "plan",
            "--specs",
            specs.toString(),
            "--pilot",
            "0",
            "--out",
            json.toString(),
            "--verbose");
    assertThat(verbose.out())
        .contains("partition 0: 13 datasets")
        .containsPattern(
            "p01\\s+parquet .* -> delta pcmd_new.p01, transform columns, .*, agent path")
        .containsPattern("p05\\s+parquet .*spark path \\(transform is SQL\\)")
        .containsPattern("lost\\s+UNRESOLVED: Cannot migrate lost");

    Outcome disabled =
        dsmigrate(
            "plan",
            "--specs",
            specs.toString(),
            "--pilot",
            "0",
            "--out",
            json.toString(),
            "-Ddsmigrate.agent.enabled=false");
    assertThat(disabled.out())
        .doesNotContainPattern("agent\\s+\\d")
        .containsPattern("Spark path because:\\s+12\\s+agent path disabled");

    // A file that is not a plan is someone else's: --out never replaces it.
    Path notes = json.resolveSibling("notes.json");
    java.nio.file.Files.writeString(notes, "{\"team\": \"orders\", \"todo\": [\"migrate\"]}");
    Outcome refused =
        dsmigrate("plan", "--specs", specs.toString(), "--pilot", "0", "--out", notes.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("is not a dsmigrate plan, so it is not replaced");
    assertThat(java.nio.file.Files.readString(notes))
        .isEqualTo("{\"team\": \"orders\", \"todo\": [\"migrate\"]}");
  }
}
