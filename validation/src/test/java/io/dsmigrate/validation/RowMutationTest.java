package io.dsmigrate.validation;

import static io.dsmigrate.validation.MutationTest.ROWS;
import static io.dsmigrate.validation.MutationTest.TOUCHED;
import static io.dsmigrate.validation.MutationTest.base;
import static io.dsmigrate.validation.MutationTest.compare;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.SparkTestBase;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every supported type, on the datasets of {@link MutationTest}: one duplicated row is one
 * extra row (and one duplicate key), one missing row is found, and a null moved to the other column
 * is found in both columns.
 */
class RowMutationTest extends SparkTestBase {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.dsmigrate.validation.MutationTest#types")
  void oneDuplicatedRowIsOneExtraRow(String type, String value, String other) {
    Dataset<Row> duplicated = base(value).unionByName(base(value).where("id = 7"));
    ComparisonResult result = compare(base(value), duplicated);
    assertThat(result.rowsNew()).isEqualTo(ROWS + 1);
    assertThat(result.rowsMissing()).as(type).isZero();
    assertThat(result.rowsExtra()).as(type).isEqualTo(1);
    assertThat(result.contentMatch()).isFalse();

    ComparisonResult keyed =
        DatasetComparison.of(base(value), duplicated).key(List.of("id")).execute();
    assertThat(keyed.duplicateKeys()).as(type).isEqualTo(1);
    assertThat(keyed.rowsChanged()).isZero();
    assertThat(keyed.rowsExtra()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.dsmigrate.validation.MutationTest#types")
  void oneMissingRowIsFound(String type, String value, String other) {
    ComparisonResult result = compare(base(value), base(value).where("id <> 11"));
    assertThat(result.rowsMissing()).as(type).isEqualTo(1);
    assertThat(result.rowsExtra()).as(type).isZero();
    assertThat(result.contentMatch()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.dsmigrate.validation.MutationTest#types")
  void aNullMovedToTheOtherColumnIsFound(String type, String value, String other) {
    // Row TOUCHED holds (NULL, x); after the move it holds (x, NULL).
    Dataset<Row> moved =
        base(value)
            .selectExpr(
                "id",
                "CASE WHEN id = " + TOUCHED + " THEN v2 ELSE v1 END AS v1",
                "CASE WHEN id = " + TOUCHED + " THEN NULL ELSE v2 END AS v2");
    ComparisonResult result = compare(base(value), moved);
    assertThat(result.rowsMissing()).as(type).isEqualTo(1);
    assertThat(result.rowsExtra()).as(type).isEqualTo(1);
    assertThat(result.columnsDiffering()).as(type).containsExactly("v1", "v2");
    assertThat(result.columns().get(1).nullsOld())
        .isEqualTo(result.columns().get(1).nullsNew() + 1);
  }
}
