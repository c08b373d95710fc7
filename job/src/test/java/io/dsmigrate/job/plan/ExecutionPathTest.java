package io.dsmigrate.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import io.dsmigrate.job.spec.ValidationSpec;
import io.dsmigrate.validation.Tolerance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which datasets the planner sends down the agent path: only those whose every need the agent path
 * supports; any other takes the Spark path with the first reason it does not qualify. No Spark.
 */
class ExecutionPathTest {
  private static final String SOURCE_DIR = "file:/data/legacy/orders";

  private static SourceInfo parquetPath(long bytes, long files) {
    return new SourceInfo(
        null, SOURCE_DIR, "parquet", "path", false, "id BIGINT", List.of(), bytes, files);
  }

  private static SourceInfo table(String name, String format, List<String> partitions) {
    return new SourceInfo(
        name, "file:/wh/legacy.db/orders", format, "hive", false, "id BIGINT", partitions, 10, 1);
  }

  private static final SourceInfo SMALL = parquetPath(1_000, 2);

  private static DatasetSpec spec(TargetSpec target, TransformSpec transform) {
    return spec(new SourceSpec(null, "/data/legacy/orders", null), target, transform, null, false);
  }

  private static DatasetSpec spec(
      SourceSpec source,
      TargetSpec target,
      TransformSpec transform,
      ValidationSpec validation,
      boolean cutover) {
    return new DatasetSpec(
        "orders", source, target, transform, validation, List.of(), cutover, null);
  }

  private static final TargetSpec NEW_TABLE = new TargetSpec("sales.orders", null, null, null);

  /** A new table with a comment, these properties and column comments. */
  private static TargetSpec described(
      Map<String, String> properties, Map<String, String> columnComments) {
    return new TargetSpec("sales.orders", null, null, null, "orders", properties, columnComments);
  }

  private static final TransformSpec COLUMNS =
      new TransformSpec(
          Map.of("amt", "amount"),
          Map.of("amount", "decimal(12,2)"),
          List.of("legacy_flag"),
          Map.of("migrated", "true"),
          null,
          null);

  private static ExecutionPath.Choice choose(DatasetSpec spec, SourceInfo source) {
    return ExecutionPath.choose(spec, source, AgentLimits.DEFAULTS);
  }

  @Test
  void aSmallParquetSourceToANewDeltaTableWithColumnOperationsTakesTheAgentPath() {
    assertThat(choose(spec(NEW_TABLE, COLUMNS), SMALL).path()).isEqualTo(ExecutionPath.AGENT);
    assertThat(choose(spec(NEW_TABLE, TransformSpec.NONE), SMALL).path())
        .isEqualTo(ExecutionPath.AGENT);
    TargetSpec newPath = new TargetSpec(null, "/data/new/orders", "delta", List.of());
    assertThat(choose(spec(newPath, COLUMNS), SMALL).path()).isEqualTo(ExecutionPath.AGENT);
    DatasetSpec fromTable =
        spec(new SourceSpec("legacy.orders", null, null), NEW_TABLE, COLUMNS, null, false);
    assertThat(choose(fromTable, table("legacy.orders", "parquet", List.of())).path())
        .as("a Hive table stored as Parquet")
        .isEqualTo(ExecutionPath.AGENT);
    ValidationSpec keyed = new ValidationSpec(List.of("id"), List.of("note"), null, null, 5);
    assertThat(
            choose(
                    spec(
                        new SourceSpec(null, "/data/legacy/orders", null),
                        NEW_TABLE,
                        COLUMNS,
                        keyed,
                        false),
                    SMALL)
                .path())
        .as("a key, ignored columns and samples are supported")
        .isEqualTo(ExecutionPath.AGENT);
  }

  @Test
  void turningTheAgentPathOffSendsEveryDatasetDownTheSparkPath() {
    assertThat(ExecutionPath.choose(spec(NEW_TABLE, COLUMNS), SMALL, AgentLimits.DISABLED))
        .isEqualTo(new ExecutionPath.Choice(ExecutionPath.SPARK, "agent path disabled"));
    assertThat(
            ExecutionPath.choose(
                spec(NEW_TABLE, COLUMNS), SMALL, new AgentLimits(false, 1L << 40, 1_000_000)))
        .isEqualTo(new ExecutionPath.Choice(ExecutionPath.SPARK, "agent path disabled"));
  }

  @Test
  void eachUnsupportedNeedSendsTheDatasetDownTheSparkPathWithItsReason() {
    DatasetSpec good = spec(NEW_TABLE, COLUMNS);
    assertSpark(choose(good, null), "source not resolved");
    assertSpark(
        choose(good, table("legacy.orders", "delta", List.of())),
        "source format not parquet: delta");
    assertSpark(
        choose(good, table("legacy.orders", "hive-text", List.of())),
        "source format not parquet: hive-text");
    assertSpark(
        choose(good, table("legacy.orders", "parquet", List.of("day", "region"))),
        "source partitioned: day, region");

    DatasetSpec sameTable =
        spec(
            new SourceSpec("legacy.orders", null, null),
            new TargetSpec("LEGACY.Orders", null, null, null),
            COLUMNS,
            null,
            false);
    assertSpark(
        choose(sameTable, table("legacy.orders", "parquet", List.of())),
        "target replaces the source in place");
    DatasetSpec samePath = spec(new TargetSpec(null, "/data/legacy/orders/", null, null), COLUMNS);
    assertSpark(choose(samePath, SMALL), "target replaces the source in place");
    assertSpark(
        ExecutionPath.choose(good, SMALL, SOURCE_DIR, AgentLimits.DEFAULTS),
        "target replaces the source in place");
    assertThat(
            ExecutionPath.choose(good, SMALL, "file:/wh/sales.db/orders", AgentLimits.DEFAULTS)
                .path())
        .isEqualTo(ExecutionPath.AGENT);

    assertSpark(
        choose(
            spec(new SourceSpec(null, "/data/legacy/orders", null), NEW_TABLE, COLUMNS, null, true),
            SMALL),
        "cut-over");
    assertSpark(
        choose(spec(new TargetSpec("sales.orders", null, "parquet", null), COLUMNS), SMALL),
        "target format not delta: parquet");
    assertSpark(
        choose(spec(new TargetSpec("sales.orders", null, null, List.of("day")), COLUMNS), SMALL),
        "target partitioned: day");
    // Delta Kernel writes only some table features: Delta settings take Delta's own writer.
    assertSpark(
        choose(
            spec(
                described(Map.of("team", "web", "delta.enableChangeDataFeed", "true"), null),
                COLUMNS),
            SMALL),
        "target sets Delta table properties: delta.enableChangeDataFeed");
    assertThat(
            choose(
                    spec(described(Map.of("team", "web"), Map.of("amount", "in euros")), COLUMNS),
                    SMALL)
                .path())
        .isEqualTo(ExecutionPath.AGENT);
    assertSpark(
        choose(
            spec(
                NEW_TABLE,
                new TransformSpec(null, null, null, null, "SELECT id FROM source", null)),
            SMALL),
        "transform is SQL");
    assertSpark(
        choose(
            spec(NEW_TABLE, new TransformSpec(null, null, null, null, null, "orders.sql")), SMALL),
        "transform is a script");
    ValidationSpec queries =
        new ValidationSpec(
            List.of("id"),
            null,
            null,
            List.of(new ValidationSpec.ConsumerQuery("SELECT count(*) FROM dataset", "x")),
            null);
    assertSpark(
        choose(
            spec(
                new SourceSpec(null, "/data/legacy/orders", null),
                NEW_TABLE,
                COLUMNS,
                queries,
                false),
            SMALL),
        "validation runs consumer queries");
    ValidationSpec tolerances =
        new ValidationSpec(
            List.of("id"), null, Map.of("amount", new Tolerance(0.01, 0)), null, null);
    assertSpark(
        choose(
            spec(
                new SourceSpec(null, "/data/legacy/orders", null),
                NEW_TABLE,
                COLUMNS,
                tolerances,
                false),
            SMALL),
        "validation has tolerances");
  }

  @Test
  void aSourceOverEitherLimitTakesTheSparkPathAndOneAtTheLimitTheAgentPath() {
    DatasetSpec good = spec(NEW_TABLE, COLUMNS);
    AgentLimits limits = new AgentLimits(true, 1_000, 3);
    assertThat(ExecutionPath.choose(good, parquetPath(1_000, 3), limits).path())
        .isEqualTo(ExecutionPath.AGENT);
    assertSpark(
        ExecutionPath.choose(good, parquetPath(1_001, 3), limits),
        "source over dsmigrate.agent.max-bytes (1000): 1001 bytes");
    assertSpark(
        ExecutionPath.choose(good, parquetPath(1_000, 4), limits),
        "source over dsmigrate.agent.max-files (3): 4 files");
    assertSpark(ExecutionPath.choose(good, parquetPath(-1, 3), limits), "source size unknown");
    assertSpark(
        choose(good, parquetPath(257L << 20, 1)),
        "source over dsmigrate.agent.max-bytes (268435456): 269484032 bytes");
    assertSpark(
        choose(good, parquetPath(1, 201)),
        "source over dsmigrate.agent.max-files (200): 201 files");
  }

  @Test
  void theFirstUnmetConditionIsTheReason() {
    DatasetSpec everythingWrong =
        spec(
            new SourceSpec("legacy.orders", null, null),
            new TargetSpec("legacy.orders", null, "parquet", List.of("day")),
            new TransformSpec(null, null, null, null, "SELECT * FROM source", null),
            null,
            true);
    assertSpark(
        choose(everythingWrong, table("legacy.orders", "orc", List.of("day"))),
        "source format not parquet: orc");
  }

  @Test
  void aPlanWrittenBeforePathsReadsAsSparkAndAPathSurvivesTheJsonRoundTrip() throws Exception {
    ObjectMapper json =
        new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    PlannedDataset agent =
        PlannedDataset.of(
            spec(NEW_TABLE, COLUMNS), SMALL, null, choose(spec(NEW_TABLE, COLUMNS), SMALL));
    String written = json.writeValueAsString(agent);
    assertThat(json.readTree(written).get("path").asText()).isEqualTo("agent");
    assertThat(json.readTree(written).get("pathReason").asText()).isNotBlank();
    assertThat(json.readValue(written, PlannedDataset.class)).isEqualTo(agent);

    com.fasterxml.jackson.databind.node.ObjectNode old =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(written);
    old.remove("path");
    old.remove("pathReason");
    PlannedDataset read = json.readValue(old.toString(), PlannedDataset.class);
    assertThat(read.path()).isEqualTo(ExecutionPath.SPARK);
    assertThat(read.pathReason()).isEqualTo("planned before execution paths were chosen");
    assertThat(read.spec()).isEqualTo(agent.spec());

    // What the target says of itself travels in the plan, and is left out when unset.
    PlannedDataset described =
        PlannedDataset.of(
            spec(described(Map.of("team", "web"), Map.of("amount", "in euros")), COLUMNS),
            SMALL,
            null,
            choose(spec(NEW_TABLE, COLUMNS), SMALL));
    assertThat(json.readValue(json.writeValueAsString(described), PlannedDataset.class))
        .isEqualTo(described);
    assertThat(json.readTree(written).get("spec").get("target").has("properties")).isFalse();
  }

  @Test
  void aReasonsRuleLeavesOutItsDetailsSoThatASummaryCanCountThem() {
    assertThat(ExecutionPath.Choice.rule("source partitioned: day, region"))
        .isEqualTo("source partitioned");
    assertThat(ExecutionPath.Choice.rule("source over dsmigrate.agent.max-files (3): 4 files"))
        .isEqualTo("source over dsmigrate.agent.max-files (3)");
    assertThat(ExecutionPath.Choice.rule("cut-over")).isEqualTo("cut-over");
  }

  private static void assertSpark(ExecutionPath.Choice choice, String reason) {
    assertThat(choice).isEqualTo(new ExecutionPath.Choice(ExecutionPath.SPARK, reason));
  }
}
