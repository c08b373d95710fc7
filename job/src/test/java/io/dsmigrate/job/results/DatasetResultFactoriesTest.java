package io.dsmigrate.job.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The named factories of results rows fill every field of the table's row, and only those. */
class DatasetResultFactoriesTest {
  private static final DatasetResult.Run RUN = new DatasetResult.Run("run-1", "plan-1", 3, 2);
  private static final DatasetResult.Subject ORDERS =
      new DatasetResult.Subject(
          "orders",
          "legacy.orders",
          "sales.orders",
          "/warehouse/sales.db/orders",
          "sql",
          true,
          "hash",
          List.of("SELECT count(*) FROM {table}"));
  private static final Timestamp STARTED = new Timestamp(10_000);
  private static final Timestamp FINISHED = new Timestamp(12_500);

  @Test
  void aRowOfAMigrationCarriesItsRunDatasetCountsFiguresAndUndoPoints() {
    DatasetResult.Counts counts = new DatasetResult.Counts(10L, 9L, true, false, 1L, 0L);
    ValidationFigures figures =
        new ValidationFigures(0L, 1L, 0L, 0L, 0L, List.of("amount"), 1, List.of());
    DatasetResult.UndoPoints undo =
        new DatasetResult.UndoPoints("copy:/snapshots/orders", 4L, "legacy.orders_backup");

    DatasetResult row =
        DatasetResult.attempted(
            RUN, ORDERS, Status.SUCCEEDED, 2, counts, figures, undo, STARTED, FINISHED);

    assertThat(row)
        .extracting(
            DatasetResult::runId,
            DatasetResult::planId,
            DatasetResult::partition,
            DatasetResult::wave,
            DatasetResult::datasetId,
            DatasetResult::status,
            DatasetResult::source,
            DatasetResult::target,
            DatasetResult::targetLocation,
            DatasetResult::transformKind,
            DatasetResult::inPlace,
            DatasetResult::specHash,
            DatasetResult::consumers)
        .containsExactly(
            "run-1",
            "plan-1",
            3,
            2,
            "orders",
            Status.SUCCEEDED,
            "legacy.orders",
            "sales.orders",
            "/warehouse/sales.db/orders",
            "sql",
            true,
            "hash",
            List.of("SELECT count(*) FROM {table}"));
    assertThat(row)
        .extracting(
            DatasetResult::sourceRows,
            DatasetResult::targetRows,
            DatasetResult::schemaMatch,
            DatasetResult::contentMatch,
            DatasetResult::rowsMissing,
            DatasetResult::rowsExtra,
            DatasetResult::errorClass,
            DatasetResult::errorMessage,
            DatasetResult::snapshot,
            DatasetResult::targetPreviousVersion,
            DatasetResult::attempts,
            DatasetResult::startedAt,
            DatasetResult::finishedAt,
            DatasetResult::durationMs,
            DatasetResult::validation,
            DatasetResult::backupTable)
        .containsExactly(
            10L,
            9L,
            true,
            false,
            1L,
            0L,
            null,
            null,
            "copy:/snapshots/orders",
            4L,
            2,
            STARTED,
            FINISHED,
            2_500L,
            figures,
            "legacy.orders_backup");
    assertThat(row.run()).isEqualTo(RUN);
    assertThat(row.subject()).isEqualTo(ORDERS);
    assertThat(row.counts()).isEqualTo(counts);
    assertThat(row.undoPoints()).isEqualTo(undo);
  }

  @Test
  void aRowOfADatasetNotMigratedHasNoAttemptsCountsOrUndoPoints() {
    DatasetResult row =
        DatasetResult.notMigrated(
            RUN, ORDERS, Status.NOT_STARTED, "ERROR_THRESHOLD", "not started", STARTED, FINISHED);

    assertThat(row.status()).isEqualTo(Status.NOT_STARTED);
    assertThat(row.errorClass()).isEqualTo("ERROR_THRESHOLD");
    assertThat(row.errorMessage()).isEqualTo("not started");
    assertThat(row.attempts()).isZero();
    assertThat(row.counts()).isEqualTo(DatasetResult.Counts.NONE);
    assertThat(row.undoPoints()).isEqualTo(DatasetResult.UndoPoints.NONE);
    assertThat(row.validation()).isNull();
    assertThat(row.durationMs()).isEqualTo(2_500);
    assertThat(row.subject()).isEqualTo(ORDERS);
  }

  @Test
  void aLaterOutcomeKeepsEverythingButStatusErrorAndTimes() {
    DatasetResult row =
        DatasetResult.attempted(
            RUN,
            ORDERS,
            Status.SUCCEEDED,
            1,
            new DatasetResult.Counts(10L, 10L, true, true, 0L, 0L),
            null,
            new DatasetResult.UndoPoints("copy:/snapshots/orders", null, null),
            STARTED,
            FINISHED);
    Timestamp later = new Timestamp(20_000);

    DatasetResult rolledBack =
        row.withOutcome(Status.ROLLED_BACK, "ERROR_THRESHOLD", "rolled back", FINISHED, later);

    assertThat(rolledBack)
        .usingRecursiveComparison()
        .ignoringFields(
            "status", "errorClass", "errorMessage", "startedAt", "finishedAt", "durationMs")
        .isEqualTo(row);
    assertThat(rolledBack.status()).isEqualTo(Status.ROLLED_BACK);
    assertThat(rolledBack.errorClass()).isEqualTo("ERROR_THRESHOLD");
    assertThat(rolledBack.durationMs()).isEqualTo(7_500);
  }
}
