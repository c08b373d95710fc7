package io.dsmigrate.job.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The rule of what metadata travels from a source to its target. No Spark session. */
class TableMetadataTest {
  private static final TableMetadata SOURCE =
      new TableMetadata(
          "orders",
          Map.of("team", "finance"),
          Map.of("id", "order number", "cust_id", "who ordered", "amount", "in euros", "x", "x"),
          "finance_team");

  private static DatasetSpec spec(TargetSpec target, TransformSpec transform) {
    return new DatasetSpec(
        "orders",
        new SourceSpec("legacy.orders", null, null),
        target,
        transform,
        null,
        List.of(),
        false,
        null);
  }

  private static Map<String, String> comments(String... namesAndComments) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndComments.length; i += 2) {
      out.put(namesAndComments[i], namesAndComments[i + 1]);
    }
    return out;
  }

  @Test
  void bookkeepingAndProtocolStayBehindUserPropertiesTravel() {
    for (String kept :
        List.of(
            "team",
            "quality",
            "parquet.compression",
            "delta.appendOnly",
            "delta.enableChangeDataFeed",
            "delta.logRetentionDuration",
            "delta.columnMapping.mode")) {
      assertThat(TableMetadata.travels(kept)).as(kept).isTrue();
    }
    for (String dropped :
        List.of(
            "transient_lastDdlTime",
            "numFiles",
            "numRows",
            "rawDataSize",
            "totalSize",
            "COLUMN_STATS_ACCURATE",
            "EXTERNAL",
            "bucketing_version",
            "last_modified_by",
            "spark.sql.statistics.totalSize",
            "spark.sql.sources.provider",
            "delta.minReaderVersion",
            "delta.minWriterVersion",
            "delta.feature.deletionVectors",
            "delta.columnMapping.maxColumnId",
            "delta.rowTracking.materializedRowIdColumnName",
            "delta.constraints.positive",
            "dsmigrate.run",
            "comment",
            "owner")) {
      assertThat(TableMetadata.travels(dropped)).as(dropped).isFalse();
    }
  }

  @Test
  void aTargetColumnTakesTheCommentOfTheSourceColumnItComesFrom() {
    TransformSpec columns =
        new TransformSpec(
            Map.of("cust_id", "customer_id"),
            Map.of("amount", "decimal(10,2)"),
            List.of("x"),
            Map.of("x", "1", "migrated", "true"),
            null,
            null);
    TableMetadata target =
        SOURCE.forTarget(
            spec(new TargetSpec("sales.orders", null, null, null), columns),
            "run-1",
            StructType.fromDDL(
                "ID INT, customer_id INT, amount DECIMAL(10,2), x INT, migrated BOOLEAN"));
    // Names are not case-sensitive; an added column has no comment, whatever its name.
    assertThat(target.columnComments())
        .isEqualTo(
            comments("ID", "order number", "customer_id", "who ordered", "amount", "in euros"));
    assertThat(target.comment()).isEqualTo("orders");
    assertThat(target.owner()).isEqualTo("finance_team");
    assertThat(target.properties())
        .containsExactly(
            Map.entry("team", "finance"),
            Map.entry(TableMetadata.SOURCE, "legacy.orders"),
            Map.entry(TableMetadata.DATASET, "orders"),
            Map.entry(TableMetadata.RUN, "run-1"));

    // Swapped names follow the rename; with SQL only the names tell.
    TableMetadata swapped =
        SOURCE.forTarget(
            spec(
                new TargetSpec("sales.orders", null, null, null),
                new TransformSpec(
                    Map.of("id", "amount", "amount", "id"), null, null, null, null, null)),
            "run-1",
            StructType.fromDDL("amount INT, id DOUBLE"));
    assertThat(swapped.columnComments())
        .isEqualTo(comments("amount", "order number", "id", "in euros"));
    TableMetadata bySql =
        SOURCE.forTarget(
            spec(
                new TargetSpec("sales.orders", null, null, null),
                new TransformSpec(
                    null, null, null, null, "SELECT id, cust_id AS c FROM source", null)),
            "run-1",
            StructType.fromDDL("id INT, c INT"));
    assertThat(bySql.columnComments()).isEqualTo(comments("id", "order number"));
  }

  @Test
  void theSpecWinsAndCanTakeAwayAndColumnsItNamesMustExist() {
    TargetSpec target =
        new TargetSpec(
            "sales.orders",
            null,
            null,
            null,
            "",
            Map.of("team", "web"),
            comments("amount", "", "id", "the id"));
    TableMetadata metadata =
        SOURCE.forTarget(
            spec(target, TransformSpec.NONE), "run-1", StructType.fromDDL("id INT, amount INT"));
    assertThat(metadata.comment()).isNull();
    assertThat(metadata.properties()).containsEntry("team", "web");
    assertThat(metadata.columnComments()).isEqualTo(comments("id", "the id"));
    StructType commented =
        metadata.commented(StructType.fromDDL("id INT, amount INT COMMENT 'stale'"));
    assertThat(commented.apply("id").getComment().get()).isEqualTo("the id");
    assertThat(commented.apply("amount").getComment().isDefined()).isFalse();

    MigrationException missing =
        catchThrowableOfType(
            MigrationException.class,
            () ->
                SOURCE.forTarget(
                    spec(target, TransformSpec.NONE), "run-1", StructType.fromDDL("id INT")));
    assertThat(missing.errorClass()).isEqualTo(ErrorClass.COLUMN_NOT_FOUND);
    assertThat(missing.getMessage())
        .startsWith(
            "Cannot migrate orders: target.column-comments names column 'amount', which the"
                + " target does not have (its columns: id)");
  }
}
