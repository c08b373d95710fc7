package io.dsmigrate.job.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress of a run as its console and {@code status --watch} show it, read from a ledger and
 * run records written by the code that writes them when a run runs (no Spark: a run of another
 * host, whose leases only expire).
 */
class RunWatchTest {
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final String RUN = "run-watched";

  @TempDir Path temp;

  private final LeaseOwner elsewhere =
      new LeaseOwner(RUN, "other-host", "other-host/boot/ns", 4242, 1);

  private LedgerSettings ledgerSettings() {
    return new LedgerSettings(
        temp.resolve("ledger").toUri().toString(),
        LEASE,
        Duration.ofSeconds(20),
        false,
        temp.resolve("control").toUri().toString(),
        "");
  }

  private Ledger ledger() {
    return Ledger.open(ledgerSettings().directory(), "results_db", new Configuration());
  }

  private RunWatch watch() {
    return RunWatch.open(
        ledgerSettings(), "results_db", new Configuration(), Duration.ofSeconds(1));
  }

  private Lease take(Ledger ledger, String datasetId) {
    return ledger.claim(null, datasetId, "hash", elsewhere, LEASE, HaltPoint.NONE);
  }

  private static RunRecord.Dataset planned(String id, long bytes) {
    return new RunRecord.Dataset(id, bytes, null, 0);
  }

  private static RunRecord.Dataset ended(String id, long bytes, Status status, long at) {
    return new RunRecord.Dataset(id, bytes, status, at);
  }

  /** Partition 0 of the run, started a second before {@code now}, with "done" done. */
  private RunRecord partition(long now, boolean ended, RunRecord.Dataset orphan) {
    return new RunRecord(
        RUN,
        "partition-0",
        elsewhere,
        now - 1000,
        now,
        ended,
        List.of(ended("done", 10, Status.SUCCEEDED, now - 500), orphan));
  }

  private static DatasetResult failedRow(String datasetId, long finished) {
    return DatasetResult.attempted(
        new DatasetResult.Run(RUN, "plan", 0, 1),
        new DatasetResult.Subject(
            datasetId,
            "legacy." + datasetId,
            "new." + datasetId,
            null,
            "none",
            false,
            "hash",
            List.of()),
        Status.FAILED,
        1,
        DatasetResult.Counts.NONE,
        null,
        DatasetResult.UndoPoints.NONE,
        new Timestamp(finished - 1000),
        new Timestamp(finished));
  }

  @Test
  void aRunningRunShowsItsDatasetsDoneInFlightWithTheirStepAndAnEtaBySize() {
    Ledger ledger = ledger();
    // "writing" is at WRITING; "failing" ended FAILED, its row still pending (only the ledger
    // knows); "done" succeeded and "skipped" was skipped (the run's record knows).
    Lease writing = take(ledger, "writing");
    writing.record(LedgerState.WRITING, null, null, null);
    long now = System.currentTimeMillis();
    Lease failing = take(ledger, "failing");
    failing.record(LedgerState.FAILED, null, failedRow("failing", now), null);
    RunWatch watch = watch();
    long started = now - 100_000;
    watch
        .records()
        .write(
            new RunRecord(
                RUN,
                "all",
                elsewhere,
                started,
                now,
                false,
                List.of(
                    ended("done", 100, Status.SUCCEEDED, started + 50_000),
                    ended("skipped", 300, Status.SKIPPED, started + 1),
                    planned("failing", 100),
                    planned("writing", 200),
                    planned("waiting", 500))));

    RunProgress progress = watch.read(RUN, now);

    assertThat(progress.liveness()).isEqualTo(RunProgress.Liveness.RUNNING);
    assertThat(progress.done())
        .isEqualTo(Map.of(Status.SUCCEEDED, 1, Status.FAILED, 1, Status.SKIPPED, 1));
    assertThat(progress.inFlight())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.datasetId()).isEqualTo("writing");
              assertThat(d.step()).isEqualTo(LedgerState.WRITING);
              assertThat(d.since()).isEqualTo(ledger.history("writing").get(0).at());
              assertThat(d.stepSince()).isEqualTo(ledger.head("writing").at());
            });
    assertThat(progress.total()).isEqualTo(5);
    assertThat(progress.remaining()).isEqualTo(2);
    // 200 bytes migrated (skipped ones take no time) in 100 s: 700 bytes left take 350 s.
    assertThat(progress.eta()).isEqualTo(new RunProgress.Eta(Duration.ofSeconds(350), "by size"));
    assertThat(ProgressText.line(progress))
        .startsWith("Run run-watched: 3/5 done (SUCCEEDED=1 FAILED=1 SKIPPED=1), 1 in flight,")
        .contains("; in flight: writing WRITING ")
        .contains("200 B of 1.2 KiB migrated at 2 B/s, 1.2 datasets/min")
        .endsWith("; ETA 5m50s (by size)");
    assertThat(ProgressText.block(progress))
        .hasSize(3)
        .satisfies(
            lines -> assertThat(lines.get(1)).contains("writing  WRITING").contains("(step"));
  }

  @Test
  void theEstimateIsByCountWithoutSizesAndUnknownBeforeAnyDatasetWasMigrated() {
    RunProgress noSizes =
        new RunProgress(
            RUN,
            60_000,
            1,
            RunProgress.Liveness.RUNNING,
            null,
            4,
            0,
            Map.of(Status.SUCCEEDED, 1),
            1,
            0,
            List.of(),
            3,
            0);
    assertThat(noSizes.eta())
        .isEqualTo(new RunProgress.Eta(Duration.ofMillis(179_997), "by count"));
    RunProgress nothingYet =
        new RunProgress(
            RUN,
            60_000,
            1,
            RunProgress.Liveness.RUNNING,
            null,
            4,
            400,
            Map.of(Status.SKIPPED, 1),
            0,
            0,
            List.of(),
            3,
            300);
    assertThat(nothingYet.eta().left()).isNull();
    assertThat(ProgressText.line(nothingYet)).endsWith("ETA unknown (no dataset migrated yet)");
  }

  @Test
  void aRunNotHeardOfForALeaseLooksStoppedAndOneThatEndedSaysSo() {
    Ledger ledger = ledger();
    take(ledger, "orphan").record(LedgerState.WRITTEN, null, null, null);
    RunWatch watch = watch();
    long now = System.currentTimeMillis();
    watch.records().write(partition(now, false, planned("orphan", 10)));
    assertThat(watch.read(RUN, now).liveness()).isEqualTo(RunProgress.Liveness.RUNNING);

    // Three minutes on: no word from the run, and the orphan's lease expired.
    RunProgress later = watch.read(RUN, now + Duration.ofMinutes(3).toMillis());
    assertThat(later.liveness()).isEqualTo(RunProgress.Liveness.STOPPED);
    assertThat(later.inFlight()).isEmpty();
    assertThat(ProgressText.line(later))
        .startsWith(
            "Run run-watched looks stopped: nothing heard from run run-watched on other-host")
        .contains("Done: SUCCEEDED=1, 1 not done. Run it again with --run-id run-watched");

    watch.records().write(partition(now, true, ended("orphan", 10, Status.NOT_STARTED, now)));
    RunProgress ended = watch.read(RUN, now + 1000);
    assertThat(ended.liveness()).isEqualTo(RunProgress.Liveness.ENDED);
    assertThat(ended.someFailedOrHeld()).isTrue();
    assertThat(ProgressText.block(ended))
        .containsExactly("Run run-watched ended: SUCCEEDED=1 NOT_STARTED=1 (2 datasets in 2s)");
    assertThat(watch.lastRunId()).isEqualTo(RUN);
    assertThat(watch.read("run-unknown", now).liveness()).isEqualTo(RunProgress.Liveness.NOT_FOUND);
  }

  @Test
  void aRecordIsPublishedOnlyOverTheRecordOfTheSameRunAndPart() throws Exception {
    RunWatch watch = watch();
    long now = System.currentTimeMillis();
    // Another run's record, and a file of someone's, at the names this run would publish to.
    Path runDir = temp.resolve("ledger").resolve(".runs").resolve("results_db").resolve(RUN);
    java.nio.file.Files.createDirectories(runDir);
    Path foreign = runDir.resolve("partition-0.json");
    java.nio.file.Files.writeString(foreign, "{\"notes\": \"someone's\"}");
    RunRecord other =
        new RunRecord(
            "run-other", "partition-0", elsewhere, now, now, false, List.of(planned("x", 1)));
    java.nio.file.Files.writeString(
        runDir.resolve("partition-1.json"),
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(other));

    RunRecord mine = partition(now, false, planned("orphan", 10));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> watch.records().write(mine))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(foreign.getFileName().toString())
        .hasMessageContaining("left as it is");
    assertThat(java.nio.file.Files.readString(foreign)).isEqualTo("{\"notes\": \"someone's\"}");
    RunRecord mineAsPartOne =
        new RunRecord(RUN, "partition-1", elsewhere, now, now, false, List.of(planned("x", 1)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> watch.records().write(mineAsPartOne))
        .isInstanceOf(java.io.UncheckedIOException.class);
    try (var files = java.nio.file.Files.list(runDir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("nothing left aside")
          .containsExactlyInAnyOrder("partition-0.json", "partition-1.json");
    }

    // Its own record it replaces, as every interval does.
    java.nio.file.Files.delete(foreign);
    java.nio.file.Files.delete(runDir.resolve("partition-1.json"));
    watch.records().write(mine);
    watch.records().write(partition(now, true, planned("orphan", 10)));
    assertThat(watch.read(RUN, now + 1000).liveness()).isEqualTo(RunProgress.Liveness.ENDED);
  }

  @Test
  void onATerminalTheBlockIsRedrawnInPlaceUnderTheLinesPrinted() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleBlock block = new ConsoleBlock(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    block.show(List.of("Run r: 0/2 done", "  a  WRITING"));
    block.print("  [1/2] SUCCEEDED   b");
    block.clear();
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "\u001b[?7lRun r: 0/2 done\n  a  WRITING\n\u001b[?7h"
                + "\u001b[2F\u001b[J  [1/2] SUCCEEDED   b\n"
                + "\u001b[?7lRun r: 0/2 done\n  a  WRITING\n\u001b[?7h"
                + "\u001b[2F\u001b[J");
  }
}
