package io.dsmigrate.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run does with a dataset, by its ledger head, decided without Spark. */
class AdmissionTest {
  private static final long NOW = 1_000_000L;
  private static final String SPEC = "spec-hash";
  private static final LeaseOwner SELF = LeaseOwner.current("run-self");
  // Another host's run: alive as long as its lease is.
  private static final LeaseOwner OTHER =
      new LeaseOwner("run-other", "other-host", "other-host/boot/ns", 42, 0);
  // A run of this machine whose process is gone (no process has this pid).
  private static final LeaseOwner GONE =
      new LeaseOwner("run-gone", SELF.host(), SELF.machine(), 999_999_999L, 0);

  @Test
  void aDatasetWithNoLedgerAndNoOutcomeIsAdmitted() {
    Admission.Decision decision = Admission.decide(null, null, SPEC, SELF, NOW, true);

    assertThat(decision).isEqualTo(new Admission.Admit(null));
  }

  @Test
  void aDatasetThatSucceededWithTheSameSpecIsSkippedAsAlreadyMigrated() {
    DatasetResult succeeded = row("run-1", Status.SUCCEEDED, SPEC);

    Admission.Decision decision = Admission.decide(null, succeeded, SPEC, SELF, NOW, true);

    assertThat(decision).isInstanceOf(Admission.Skip.class);
    assertThat(((Admission.Skip) decision).reason())
        .isEqualTo("already migrated by run run-1 with the same spec");
    assertThat(decision.previous()).isEqualTo(succeeded);
  }

  @Test
  void aDatasetThatSucceededWithAnotherSpecOrFailedIsAdmittedAgain() {
    DatasetResult otherSpec = row("run-1", Status.SUCCEEDED, "old-hash");
    DatasetResult failed = row("run-1", Status.FAILED, SPEC);

    assertThat(Admission.decide(null, otherSpec, SPEC, SELF, NOW, true))
        .isEqualTo(new Admission.Admit(otherSpec));
    assertThat(Admission.decide(null, failed, SPEC, SELF, NOW, true))
        .isEqualTo(new Admission.Admit(failed));
  }

  @Test
  void theLedgersRecordedOutcomeIsThePreviousOutcomeOverTheResultsTablesRow() {
    // The results table's newest row (by a host's clock) says FAILED; the ledger, ordered by
    // generation, says the dataset succeeded since.
    DatasetResult tableRow = row("run-1", Status.FAILED, SPEC);
    DatasetResult ledgerOutcome = row("run-2", Status.SUCCEEDED, SPEC);
    LedgerEntry head = entry(LedgerState.SUCCEEDED, true, OTHER, NOW + 60_000, ledgerOutcome);

    Admission.Decision decision = Admission.decide(head, tableRow, SPEC, SELF, NOW, true);

    assertThat(decision).isInstanceOf(Admission.Skip.class);
    assertThat(((Admission.Skip) decision).reason()).contains("run-2");
    assertThat(decision.previous()).isEqualTo(ledgerOutcome);
  }

  @Test
  void aDatasetAnotherLiveRunHoldsIsWaitedForWhileWaitingIsAllowed() {
    LedgerEntry head = entry(LedgerState.WRITING, false, OTHER, NOW + 60_000, null);

    Admission.Decision decision = Admission.decide(head, null, SPEC, SELF, NOW, true);

    assertThat(decision).isEqualTo(new Admission.Wait(head, null));
  }

  @Test
  void aDatasetAnotherLiveRunHoldsIsSkippedNamingThatRunOnceWaitingIsOver() {
    DatasetResult failed = row("run-1", Status.FAILED, SPEC);
    LedgerEntry head = entry(LedgerState.WRITING, false, OTHER, NOW + 60_000, null);

    Admission.Decision decision = Admission.decide(head, failed, SPEC, SELF, NOW, false);

    assertThat(decision).isInstanceOf(Admission.Skip.class);
    assertThat(((Admission.Skip) decision).reason())
        .startsWith("not migrated: leased by run run-other on other-host (pid 42) until ")
        .contains("it stands at WRITING");
    assertThat(decision.previous()).isEqualTo(failed);
  }

  @Test
  void aDatasetLeftInFlightByARunWhoseLeaseExpiredIsRecovered() {
    LedgerEntry head = entry(LedgerState.SNAPSHOTTED, false, OTHER, NOW - 1, null);

    Admission.Decision decision = Admission.decide(head, null, SPEC, SELF, NOW, true);

    assertThat(decision).isEqualTo(new Admission.Recover(head, null));
  }

  @Test
  void aDatasetLeftInFlightByAProcessOfThisMachineThatIsGoneIsRecoveredBeforeItsLeaseExpires() {
    LedgerEntry head = entry(LedgerState.WRITTEN, false, GONE, NOW + 60_000, null);

    assertThat(Admission.decide(head, null, SPEC, SELF, NOW, true))
        .isEqualTo(new Admission.Recover(head, null));
  }

  @Test
  void aDatasetThisRunHoldsIsRecoveredNotWaitedFor() {
    LedgerEntry head = entry(LedgerState.CUTTING_OVER, false, SELF, NOW + 60_000, null);

    assertThat(Admission.decide(head, null, SPEC, SELF, NOW, true))
        .isEqualTo(new Admission.Recover(head, null));
  }

  @Test
  void anOutcomeWhoseResultsRowIsPendingIsRecoveredEvenAfterASuccessWithTheSameSpec() {
    // The results table says an earlier run migrated it with this spec, but the ledger holds a
    // newer outcome whose row is not in the table yet: recovery records that row; a skip would
    // lose it.
    DatasetResult earlier = row("run-1", Status.SUCCEEDED, SPEC);
    DatasetResult pending = row("run-2", Status.FAILED, SPEC);
    LedgerEntry head = entry(LedgerState.FAILED, false, GONE, NOW + 60_000, pending);

    Admission.Decision decision = Admission.decide(head, earlier, SPEC, SELF, NOW, true);

    assertThat(decision).isEqualTo(new Admission.Recover(head, earlier));
  }

  private static LedgerEntry entry(
      LedgerState state, boolean recorded, LeaseOwner owner, long expires, DatasetResult result) {
    return new LedgerEntry(
        7,
        "orders",
        state,
        recorded,
        owner,
        NOW - 5_000,
        expires,
        false,
        SPEC,
        null,
        null,
        result,
        null);
  }

  private static DatasetResult row(String runId, Status status, String specHash) {
    return DatasetResult.notMigrated(
        new DatasetResult.Run(runId, "plan", 0, 1),
        new DatasetResult.Subject(
            "orders", "legacy.orders", "sales.orders", null, "none", false, specHash, List.of()),
        status,
        null,
        null,
        new Timestamp(NOW - 2_000),
        new Timestamp(NOW - 1_000));
  }
}
