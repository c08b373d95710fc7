package io.dsmigrate.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.fleet.PauseRequests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger on a real file system: exclusive generations, leases, takeovers, pause requests. */
class LedgerTest {
  private static final Duration LEASE = Duration.ofMinutes(2);

  @TempDir Path temp;

  private Ledger ledger() {
    return Ledger.open(temp.resolve("ledger").toString(), "results_db", new Configuration());
  }

  private static LeaseOwner elsewhere(String runId) {
    return new LeaseOwner(runId, "other-host", "other-host/boot/ns", 4242, 1);
  }

  @Test
  void ofManyWritersRacingForOneFileExactlyOneWinsAndItsContentIsWhole() throws Exception {
    Path directory = temp.resolve("race");
    Files.createDirectories(directory);
    FileSystem fileSystem =
        LedgerFiles.fileSystem(directory.toUri().toString(), new Configuration());
    org.apache.hadoop.fs.Path target =
        new org.apache.hadoop.fs.Path(directory.toUri().toString(), "0000000001.json");
    int writers = 16;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Boolean>> wins = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String content = "writer " + i + " ".repeat(10_000);
        Callable<Boolean> write =
            () -> {
              start.await();
              return LedgerFiles.createExclusive(
                  fileSystem, target, content.getBytes(StandardCharsets.UTF_8));
            };
        wins.add(pool.submit(write));
      }
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        if (wins.get(i).get()) {
          winners.add(i);
        }
      }
      assertThat(winners).hasSize(1);
      assertThat(Files.readString(directory.resolve("0000000001.json")))
          .isEqualTo("writer " + winners.get(0) + " ".repeat(10_000));
      try (Stream<Path> left = Files.list(directory)) {
        assertThat(left).as("no temporary files are left").hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDatasetHeldByALiveRunCannotBeTakenUntilItsOutcomeIsRecorded() {
    Ledger ledger = ledger();
    LeaseOwner first = LeaseOwner.current("run-1");
    Lease lease = ledger.claim(null, "sales.orders", "hash-1", first, LEASE, HaltPoint.NONE);
    assertThat(lease).isNotNull();
    LedgerEntry head = ledger.head("sales.orders");
    assertThat(head.state()).isEqualTo(LedgerState.STARTED);
    assertThat(head.heldByLiveOwner(System.currentTimeMillis())).isTrue();

    // A second run that decided on the empty ledger loses: the generation is taken.
    assertThat(
            ledger.claim(
                null, "sales.orders", "hash-1", LeaseOwner.current("run-2"), LEASE, HaltPoint.NONE))
        .isNull();

    lease.record(LedgerState.WRITING, progress(), null, null);
    lease.record(LedgerState.SUCCEEDED, progress(), null, null);
    assertThat(ledger.head("sales.orders").heldByLiveOwner(System.currentTimeMillis()))
        .as("an outcome whose results row is pending still holds the dataset")
        .isTrue();
    lease.release();
    LedgerEntry released = ledger.head("sales.orders");
    assertThat(released.holdsLease()).isFalse();
    assertThat(released.recorded()).isTrue();

    Lease second =
        ledger.claim(
            released, "sales.orders", "hash-2", LeaseOwner.current("run-2"), LEASE, HaltPoint.NONE);
    assertThat(second).isNotNull();
    assertThat(ledger.head("sales.orders").specHash()).isEqualTo("hash-2");
    assertThat(ledger.history("sales.orders"))
        .extracting(LedgerEntry::state)
        .containsExactly(
            LedgerState.STARTED,
            LedgerState.WRITING,
            LedgerState.SUCCEEDED,
            LedgerState.SUCCEEDED,
            LedgerState.STARTED);
  }

  @Test
  void aLeaseOfAnotherMachineHoldsUntilItExpiresThenIsTakenOverAsItStands() throws Exception {
    Ledger ledger = ledger();
    long now = System.currentTimeMillis();
    LedgerEntry live = entry(1, elsewhere("run-a"), LedgerState.WRITING, now + 60_000);
    assertThat(ledger.write(live)).isTrue();
    assertThat(ledger.head("web.clicks").heldByLiveOwner(now)).isTrue();

    LedgerEntry expired = entry(2, elsewhere("run-a"), LedgerState.WRITING, now - 1);
    assertThat(ledger.write(expired)).isTrue();
    LedgerEntry head = ledger.head("web.clicks");
    assertThat(head.heldByLiveOwner(System.currentTimeMillis())).isFalse();

    Lease taken =
        ledger.claim(
            head, "web.clicks", "hash-1", LeaseOwner.current("run-b"), LEASE, HaltPoint.NONE);
    LedgerEntry takenOver = ledger.head("web.clicks");
    assertThat(taken).isNotNull();
    assertThat(takenOver.state()).as("kept for recovery").isEqualTo(LedgerState.WRITING);
    assertThat(takenOver.progress()).isEqualTo(progress());
    assertThat(takenOver.commitTag()).isEqualTo("tag-1");
    assertThat(takenOver.owner().runId()).isEqualTo("run-b");
    assertThat(takenOver.note())
        .startsWith("taken over from run run-a on other-host (pid 4242), whose lease expired at");
  }

  @Test
  void aLeaseOfAProcessOfThisMachineThatIsGoneIsFreeAtOnce() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    LeaseOwner self = LeaseOwner.current("run-x");
    LeaseOwner gone =
        new LeaseOwner("run-x", self.host(), self.machine(), ended.pid(), self.processStart());
    LeaseOwner reusedPid =
        new LeaseOwner(
            "run-x", self.host(), self.machine(), self.pid(), self.processStart() - 60_000);
    long later = System.currentTimeMillis() + 60_000;
    assertThat(
            entry(1, gone, LedgerState.WRITTEN, later).heldByLiveOwner(System.currentTimeMillis()))
        .isFalse();
    assertThat(
            entry(1, reusedPid, LedgerState.WRITTEN, later)
                .heldByLiveOwner(System.currentTimeMillis()))
        .as("a pid that now names a process started at another time")
        .isFalse();
    assertThat(
            entry(1, self, LedgerState.WRITTEN, later).heldByLiveOwner(System.currentTimeMillis()))
        .isTrue();
  }

  @Test
  void aRunWhoseDatasetWasTakenOverCannotWriteItAgain() {
    Ledger ledger = ledger();
    Lease stalled =
        ledger.claim(
            null, "sales.orders", "hash-1", LeaseOwner.current("run-slow"), LEASE, HaltPoint.NONE);
    stalled.record(LedgerState.WRITING, progress(), null, null);
    // As if run-slow's lease had expired: another run takes the dataset over.
    Lease other =
        ledger.claim(
            ledger.head("sales.orders"),
            "sales.orders",
            "hash-1",
            LeaseOwner.current("run-new"),
            LEASE,
            HaltPoint.NONE);
    assertThat(other).isNotNull();

    assertThat(stalled.renew()).isFalse();
    assertThat(stalled.lost()).isTrue();
    assertThatThrownBy(() -> stalled.record(LedgerState.UNDOING, progress(), null, null))
        .isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("Stopped migrating sales.orders")
        .hasMessageContaining("lost its lease to run run-new on")
        .hasMessageContaining("dsmigrate.ledger.lease-duration");
    assertThat(ledger.head("sales.orders").owner().runId()).isEqualTo("run-new");
  }

  @Test
  void heartbeatsRenewTheLeaseWithoutGrowingTheHistory() {
    Ledger ledger = ledger();
    Lease lease =
        ledger.claim(null, "a/b c", "hash-1", LeaseOwner.current("run-1"), LEASE, HaltPoint.NONE);
    lease.record(LedgerState.WRITING, progress(), null, null);
    long expiry = ledger.head("a/b c").leaseExpiresAt();
    for (int i = 0; i < 3; i++) {
      assertThat(lease.renew()).isTrue();
    }
    List<LedgerEntry> history = ledger.history("a/b c");
    assertThat(history)
        .extracting(LedgerEntry::state)
        .containsExactly(LedgerState.STARTED, LedgerState.WRITING, LedgerState.WRITING);
    assertThat(history.get(2).heartbeat()).isTrue();
    assertThat(history.get(2).generation()).isEqualTo(5);
    assertThat(history.get(2).leaseExpiresAt()).isGreaterThanOrEqualTo(expiry);
    assertThat(ledger.heads()).containsOnlyKeys("a/b c");
  }

  @Test
  void pauseRequestsStandUntilLifted() {
    PauseRequests pauses =
        PauseRequests.in(temp.resolve("control").toString(), new Configuration());
    assertThat(pauses.requested("run-1")).isNull();
    pauses.request("run-1", "by ops at noon");
    assertThat(pauses.requested("run-1")).isEqualTo("by ops at noon");
    assertThat(pauses.requested("run-2")).isNull();
    assertThat(pauses.lift("run-1")).isTrue();
    assertThat(pauses.lift("run-1")).isFalse();
    assertThat(pauses.requested("run-1")).isNull();
  }

  @Test
  void leaseSettingsAreCheckedAtStartUp() {
    Settings defaults =
        Settings.load(null, Map.of("dsmigrate.workdir", temp.resolve("work").toString()));
    assertThat(defaults.ledger().directory()).isEqualTo("file:" + temp.resolve("work/ledger"));
    assertThat(defaults.ledger().controlDirectory())
        .isEqualTo("file:" + temp.resolve("work/control"));
    assertThat(defaults.ledger().waitWhenLeased()).isFalse();
    assertThat(
            Settings.load(null, Map.of("dsmigrate.ledger.dir", "hdfs://nn:8020/dsmigrate/ledger"))
                .ledger()
                .directory())
        .isEqualTo("hdfs://nn:8020/dsmigrate/ledger");
    assertThatThrownBy(
            () ->
                Settings.load(
                    null,
                    Map.of(
                        "dsmigrate.ledger.lease-duration",
                        "30s",
                        "dsmigrate.ledger.heartbeat",
                        "20s")))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("dsmigrate.ledger.heartbeat")
        .hasMessageContaining("at most half of dsmigrate.ledger.lease-duration");
    assertThatThrownBy(() -> Settings.load(null, Map.of("dsmigrate.ledger.when-leased", "steal")))
        .hasMessageContaining("must be skip or wait, not steal");
    assertThatThrownBy(() -> Settings.load(null, Map.of("dsmigrate.testing.halt-after", "x")))
        .hasMessageContaining("<dataset id>:<point>");
  }

  private static MigrationProgress progress() {
    return new MigrationProgress(
        null, "web.clicks", null, "/warehouse/web.db/clicks", 3L, false, null, false);
  }

  private static LedgerEntry entry(
      long generation, LeaseOwner owner, LedgerState state, long leaseExpiresAt) {
    return new LedgerEntry(
        generation,
        "web.clicks",
        state,
        false,
        owner,
        System.currentTimeMillis(),
        leaseExpiresAt,
        false,
        "hash-1",
        "tag-1",
        progress(),
        null,
        null);
  }
}
