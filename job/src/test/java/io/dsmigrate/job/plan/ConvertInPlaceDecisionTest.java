package io.dsmigrate.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which datasets convert to Delta in place, decided from the spec and the source alone. */
class ConvertInPlaceDecisionTest {
  private static final String DIR = "file:/data/clicks";
  private static final String TABLE_DIR = "file:/warehouse/legacy.db/events";

  private static SourceInfo parquetDirectory(List<String> partitions) {
    return new SourceInfo(
        null, DIR, "parquet", "path", false, "id BIGINT, part INT", partitions, 100, 2);
  }

  private static SourceInfo hiveParquetTable(List<String> partitions) {
    return new SourceInfo(
        "legacy.events",
        TABLE_DIR,
        "parquet",
        "hive",
        true,
        "id BIGINT, day DATE",
        partitions,
        100,
        2);
  }

  private static DatasetSpec spec(
      SourceSpec source, TargetSpec target, TransformSpec transform, boolean cutover) {
    return new DatasetSpec("ds", source, target, transform, null, null, cutover, null);
  }

  private static DatasetSpec toDirectory(TargetSpec target) {
    return spec(new SourceSpec(null, DIR, "parquet"), target, null, false);
  }

  private static DatasetSpec toTable(TargetSpec target) {
    return spec(new SourceSpec("legacy.events", null, null), target, null, false);
  }

  @Test
  void aParquetDirectoryReplacedInPlaceWithoutATransformConverts() {
    ConvertInPlace.Decision decision =
        ConvertInPlace.applies(
            toDirectory(new TargetSpec(null, "/data/clicks/", null, null)),
            parquetDirectory(List.of()));
    assertThat(decision.converts()).as(decision.reason()).isTrue();
    assertThat(decision.reason()).isNull();
  }

  @Test
  void aPartitionedParquetDirectoryConvertsKeepingItsPartitioning() {
    assertThat(
            ConvertInPlace.applies(
                    toDirectory(new TargetSpec(null, DIR, "delta", List.of("PART"))),
                    parquetDirectory(List.of("part")))
                .converts())
        .isTrue();
    ConvertInPlace.Decision repartitioned =
        ConvertInPlace.applies(
            toDirectory(new TargetSpec(null, DIR, "delta", List.of("id"))),
            parquetDirectory(List.of("part")));
    assertThat(repartitioned.converts()).isFalse();
    assertThat(repartitioned.reason()).contains("partitioned by [id]", "[part]");
    // Without partitionBy the rewrite writes an unpartitioned table; so would not a conversion.
    assertThat(
            ConvertInPlace.applies(
                    toDirectory(new TargetSpec(null, DIR, "delta", null)),
                    parquetDirectory(List.of("part")))
                .converts())
        .isFalse();
  }

  @Test
  void aHiveParquetTableReplacedUnderItsOwnNameConverts() {
    assertThat(
            ConvertInPlace.applies(
                    toTable(new TargetSpec("LEGACY.events", null, null, null)),
                    hiveParquetTable(List.of()))
                .converts())
        .isTrue();
  }

  @Test
  void aPartitionedTableConvertsOnlyWhenEveryPartitionIsInHivesLayoutUnderItsDirectory() {
    DatasetSpec spec = toTable(new TargetSpec("legacy.events", null, null, List.of("day")));
    SourceInfo source = hiveParquetTable(List.of("day"));

    ConvertInPlace.Decision unknown = ConvertInPlace.applies(spec, source);
    assertThat(unknown.converts()).isFalse();
    assertThat(unknown.reason()).contains("partitioned", "not known");

    PartitionLayout hiveLayout =
        new PartitionLayout(
            "legacy.events",
            TABLE_DIR,
            List.of(
                new PartitionLayout.Partition(
                    0, Map.of("day", "2024-05-01"), TABLE_DIR + "/day=2024-05-01"),
                new PartitionLayout.Partition(
                    1, Map.of("day", "2024-05-02"), TABLE_DIR + "/day=2024-05-02")));
    assertThat(ConvertInPlace.applies(spec, source, hiveLayout).converts()).isTrue();

    PartitionLayout elsewhere =
        new PartitionLayout(
            "legacy.events",
            TABLE_DIR,
            List.of(
                new PartitionLayout.Partition(
                    0, Map.of("day", "2024-05-01"), TABLE_DIR + "/day=2024-05-01"),
                new PartitionLayout.Partition(
                    1, Map.of("day", "2024-05-02"), "file:/archive/events/2024-05-02")));
    ConvertInPlace.Decision refused = ConvertInPlace.applies(spec, source, elsewhere);
    assertThat(refused.converts()).isFalse();
    assertThat(refused.reason()).contains("day=2024-05-02 at file:/archive/events/2024-05-02");
  }

  @Test
  void anythingButAPlainParquetToDeltaConversionInPlaceIsCopiedAndRewritten() {
    SourceInfo table = hiveParquetTable(List.of());
    TargetSpec same = new TargetSpec("legacy.events", null, null, null);
    Map<String, ConvertInPlace.Decision> refused =
        Map.of(
            "transforms",
            ConvertInPlace.applies(
                spec(
                    new SourceSpec("legacy.events", null, null),
                    same,
                    new TransformSpec(Map.of("id", "key"), null, null, null, null, null),
                    false),
                table),
            "parquet, not delta",
            ConvertInPlace.applies(
                toTable(new TargetSpec("legacy.events", null, "parquet", null)), table),
            "orc, not Parquet",
            ConvertInPlace.applies(
                toTable(same),
                new SourceInfo(
                    "legacy.events", TABLE_DIR, "orc", "hive", true, "id BIGINT", null, 1, 1)),
            "delta, not Parquet",
            ConvertInPlace.applies(
                toTable(same),
                new SourceInfo(
                    "legacy.events", TABLE_DIR, "delta", "delta", true, "id BIGINT", null, 1, 1)),
            "not in place",
            ConvertInPlace.applies(
                toTable(new TargetSpec("sales.events", null, null, null)), table),
            "another location",
            ConvertInPlace.applies(
                toTable(new TargetSpec("legacy.events", "/warehouse/new/events", null, null)),
                table),
            "cut-over",
            ConvertInPlace.applies(
                spec(new SourceSpec("legacy.events", null, null), same, null, true), table),
            "holds no files",
            ConvertInPlace.applies(
                toTable(same),
                new SourceInfo(
                    "legacy.events", TABLE_DIR, "parquet", "hive", true, "id BIGINT", null, 0, 0)));
    refused.forEach(
        (why, decision) -> {
          assertThat(decision.converts()).as(why).isFalse();
          assertThat(decision.reason()).as(why).contains(why);
        });
  }
}
