package io.dsmigrate.job.progress;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerHeads;
import io.dsmigrate.job.ledger.LedgerSettings;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.results.Status;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Follows a run through the ledger and its {@link RunRecord}s, and says where it stands ({@link
 * RunProgress}): for the run's own console ({@link ProgressReporter}) and for {@code dsmigrate
 * status --watch} in any other process that reaches the ledger (no Spark needed). Each read lists
 * the ledger once and reads only the datasets that changed since ({@link LedgerHeads}).
 */
public final class RunWatch {
  /**
   * How much earlier than a run's start its datasets' ledgers may have last changed and still be
   * its own (clocks of the hosts and of the file system differ a little).
   */
  private static final long CLOCK_SLACK_MILLIS = Duration.ofMinutes(5).toMillis();

  private static final Set<Status> MIGRATED =
      Set.of(Status.SUCCEEDED, Status.FAILED, Status.ROLLED_BACK);

  private final LedgerHeads heads;
  private final RunRecords records;
  private final Duration every;
  private final long staleAfterMillis;
  private final Map<String, Timing> timings = new HashMap<>();

  // When a dataset in flight was taken and reached its step, read once per owner and step.
  private record Timing(LeaseOwner owner, LedgerState step, long since, long stepSince) {}

  private RunWatch(LedgerHeads heads, RunRecords records, Duration every, Duration staleAfter) {
    this.heads = requireNonNull(heads, "heads is null");
    this.records = requireNonNull(records, "records is null");
    this.every = requireNonNull(every, "every is null");
    this.staleAfterMillis = staleAfter.toMillis();
  }

  /**
   * The watch of the runs of results database {@code database}, whose processes publish their
   * progress every {@code every}: a run not heard of for a lease (at least three intervals) and
   * holding no dataset looks stopped.
   */
  public static RunWatch open(
      LedgerSettings ledger, String database, Configuration conf, Duration every) {
    Duration staleAfter = ledger.leaseDuration();
    if (every.multipliedBy(3).compareTo(staleAfter) > 0) {
      staleAfter = every.multipliedBy(3);
    }
    Ledger opened = Ledger.open(ledger.directory(), database, conf);
    return new RunWatch(LedgerHeads.of(opened), RunRecords.of(opened), every, staleAfter);
  }

  /** How often the runs publish their progress. */
  public Duration every() {
    return every;
  }

  /** Where the runs publish their progress. */
  public RunRecords records() {
    return records;
  }

  /** The run that published its progress last, or null when none did. */
  public String lastRunId() {
    return records.lastRunId();
  }

  /** Where run {@code runId} stands at {@code now} (epoch millis). */
  public RunProgress read(String runId, long now) {
    return read(runId, records.read(runId), now);
  }

  /** Where run {@code runId} stands, with {@code runRecords} as its records. */
  synchronized RunProgress read(String runId, List<RunRecord> runRecords, long now) {
    long startedAt =
        runRecords.stream().mapToLong(RunRecord::startedAt).filter(t -> t > 0).min().orElse(0);
    Map<String, Long> sizes = new LinkedHashMap<>();
    Map<String, Status> outcomes = new HashMap<>();
    Map<String, Long> outcomeAt = new HashMap<>();
    for (RunRecord record : runRecords) {
      for (RunRecord.Dataset dataset : record.datasets()) {
        sizes.put(dataset.id(), dataset.sizeBytes());
        if (dataset.status() != null
            && dataset.finishedAt() >= outcomeAt.getOrDefault(dataset.id(), Long.MIN_VALUE)) {
          outcomes.put(dataset.id(), dataset.status());
          outcomeAt.put(dataset.id(), dataset.finishedAt());
        }
      }
    }
    List<RunProgress.InFlight> inFlight = new ArrayList<>();
    long since = startedAt == 0 ? 0 : startedAt - CLOCK_SLACK_MILLIS;
    for (LedgerEntry head : heads.changedSince(since).values()) {
      if (!head.owner().runId().equals(runId)) {
        continue;
      }
      String id = head.datasetId();
      sizes.putIfAbsent(id, sizeOf(head));
      if (head.at() < outcomeAt.getOrDefault(id, Long.MIN_VALUE)) {
        continue; // the run's record knows of a later end (a resumed run skipped it)
      }
      if (head.state().outcome()) {
        if (head.result() != null) {
          outcomes.put(id, head.result().status());
          outcomeAt.put(id, head.at());
        }
      } else if (head.heldByLiveOwner(now)) {
        outcomes.remove(id);
        inFlight.add(inFlight(head));
      }
    }
    Set<String> flying = new HashSet<>();
    inFlight.forEach(d -> flying.add(d.datasetId()));
    timings.keySet().retainAll(flying);
    inFlight.sort(
        Comparator.comparingLong(RunProgress.InFlight::since)
            .thenComparing(RunProgress.InFlight::datasetId));

    Map<Status, Integer> done = new EnumMap<>(Status.class);
    int migrated = 0;
    long migratedBytes = 0;
    long totalBytes = 0;
    long remainingBytes = 0;
    for (Map.Entry<String, Long> dataset : sizes.entrySet()) {
      long size = dataset.getValue();
      totalBytes += size;
      Status outcome = outcomes.get(dataset.getKey());
      if (outcome == null) {
        remainingBytes += size;
        continue;
      }
      done.merge(outcome, 1, Integer::sum);
      if (MIGRATED.contains(outcome)) {
        migrated++;
        migratedBytes += size;
      }
    }
    int doneCount = done.values().stream().mapToInt(Integer::intValue).sum();
    if (startedAt == 0) {
      startedAt = inFlight.stream().mapToLong(RunProgress.InFlight::since).min().orElse(0);
    }
    RunProgress.Liveness liveness;
    String why = null;
    if (runRecords.isEmpty()) {
      liveness =
          !inFlight.isEmpty()
              ? RunProgress.Liveness.RUNNING
              : done.isEmpty() ? RunProgress.Liveness.NOT_FOUND : RunProgress.Liveness.ENDED;
    } else if (runRecords.stream().allMatch(RunRecord::ended)) {
      liveness = RunProgress.Liveness.ENDED;
    } else {
      RunRecord latest =
          runRecords.stream()
              .filter(r -> !r.ended())
              .max(Comparator.comparingLong(RunRecord::updatedAt))
              .orElseThrow();
      boolean heard =
          now - latest.updatedAt() <= staleAfterMillis && !latest.owner().goneFromThisMachine();
      if (heard || !inFlight.isEmpty()) {
        liveness = RunProgress.Liveness.RUNNING;
      } else {
        liveness = RunProgress.Liveness.STOPPED;
        why =
            latest.owner().goneFromThisMachine()
                ? "the process of " + latest.owner().describe() + " is gone"
                : "nothing heard from "
                    + latest.owner().describe()
                    + " since "
                    + ProgressText.instant(latest.updatedAt())
                    + ", and it holds no dataset";
      }
    }
    return new RunProgress(
        runId,
        now,
        startedAt,
        liveness,
        why,
        sizes.size(),
        totalBytes,
        done,
        migrated,
        migratedBytes,
        inFlight,
        sizes.size() - doneCount,
        remainingBytes);
  }

  /**
   * Shows run {@code runId} every {@link #every} until it has ended or looks stopped, then shows
   * where it ended; on a terminal as a block redrawn in place, otherwise a line each time. A run
   * not in the ledger is waited for up to {@code waitToStart}.
   *
   * @return where the run ended (or {@link RunProgress.Liveness#NOT_FOUND})
   */
  public RunProgress follow(String runId, Duration waitToStart, PrintStream out, boolean terminal)
      throws InterruptedException {
    ConsoleBlock block = terminal ? new ConsoleBlock(out) : null;
    long start = System.currentTimeMillis();
    boolean waiting = false;
    while (true) {
      long now = System.currentTimeMillis();
      RunProgress progress = read(runId, now);
      switch (progress.liveness()) {
        case NOT_FOUND -> {
          if (now - start > waitToStart.toMillis()) {
            return progress;
          }
          if (!waiting) {
            out.println(
                "Waiting for run "
                    + runId
                    + " to start (nothing of it in the ledger beside "
                    + records.location()
                    + " yet)");
            waiting = true;
          }
        }
        case RUNNING -> {
          if (block != null) {
            block.show(ProgressText.block(progress));
          } else {
            out.println(ProgressText.line(progress));
          }
        }
        case ENDED, STOPPED -> {
          if (block != null) {
            block.clear();
          }
          ProgressText.block(progress).forEach(out::println);
          return progress;
        }
      }
      out.flush();
      Thread.sleep(every.toMillis());
    }
  }

  private RunProgress.InFlight inFlight(LedgerEntry head) {
    String id = head.datasetId();
    Timing known = timings.get(id);
    if (known == null || !known.owner().sameAs(head.owner()) || known.step() != head.state()) {
      long since = head.at();
      long stepSince = head.at();
      boolean sameStep = true;
      List<LedgerEntry> history = heads.history(id);
      for (int i = history.size() - 1; i >= 0; i--) {
        LedgerEntry entry = history.get(i);
        if (entry.generation() > head.generation()) {
          continue; // written after the head was read
        }
        if (!entry.owner().sameAs(head.owner())) {
          break;
        }
        since = entry.at();
        sameStep = sameStep && entry.state() == head.state();
        if (sameStep) {
          stepSince = entry.at();
        }
      }
      known = new Timing(head.owner(), head.state(), since, stepSince);
      timings.put(id, known);
    }
    return new RunProgress.InFlight(id, head.state(), known.since(), known.stepSince());
  }

  private static long sizeOf(LedgerEntry head) {
    return head.progress() != null && head.progress().source() != null
        ? head.progress().source().sizeBytes()
        : 0;
  }
}
