package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.ledger.LedgerState;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ledger states the steps of a migration record, and what the Spark UI shows for them. */
class MigrationStepTest {

  @Test
  void theStepsThatChangeTheSourceRecordSnapshottedFirst() {
    assertThat(MigrationStep.CLEAR_SOURCE.ledgerState()).contains(LedgerState.SNAPSHOTTED);
    assertThat(MigrationStep.CONVERT_TO_DELTA.ledgerState()).contains(LedgerState.SNAPSHOTTED);
  }

  @Test
  void theStepsRecordExactlyTheInFlightStatesRecoveryPicksUpFrom() {
    // STARTED is recorded as the lease is taken (and as an attempt begins), outcomes with their
    // results rows: every other state is a step's, and Recovery picks up from each of them.
    Set<LedgerState> recorded =
        Arrays.stream(MigrationStep.values())
            .map(MigrationStep::ledgerState)
            .flatMap(Optional::stream)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(LedgerState.class)));

    Set<LedgerState> inFlight = EnumSet.noneOf(LedgerState.class);
    for (LedgerState state : LedgerState.values()) {
      if (!state.outcome() && state != LedgerState.STARTED) {
        inFlight.add(state);
      }
    }
    assertThat(recorded).isEqualTo(inFlight);
  }

  @Test
  void aLaterStepNeverRecordsAnEarlierStateThanTheStepsBeforeIt() {
    List<LedgerState> forward =
        Arrays.stream(MigrationStep.values())
            .filter(step -> step != MigrationStep.UNDO)
            .map(MigrationStep::ledgerState)
            .flatMap(Optional::stream)
            .toList();

    assertThat(forward).isSorted();
  }

  @Test
  void theStepsThatChangeNothingRecordNothing() {
    for (MigrationStep step :
        List.of(
            MigrationStep.RESOLVE_SOURCE,
            MigrationStep.DRY_RUN_CHECK,
            MigrationStep.SNAPSHOT_SOURCE,
            MigrationStep.CONSUMER_QUERY)) {
      assertThat(step.ledgerState()).as(step.name()).isEmpty();
    }
  }

  @Test
  void theSparkUiShowsEachStepByItsName() {
    assertThat(MigrationStep.WRITE_TARGET.description()).isEqualTo("write target");
    assertThat(MigrationStep.DRY_RUN_CHECK.description()).isEqualTo("dry run: check transform");
    assertThat(MigrationStep.CONSUMER_QUERY.description(2)).isEqualTo("consumer query 2");
    assertThat(Arrays.stream(MigrationStep.values()).map(MigrationStep::description))
        .doesNotHaveDuplicates();
  }
}
