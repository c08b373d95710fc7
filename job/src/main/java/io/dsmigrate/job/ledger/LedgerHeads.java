package io.dsmigrate.job.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;

/**
 * The heads of a ledger, read again and again to follow a run: one listing of the ledger's
 * directory, then only the datasets whose directory changed since the last read (every step and
 * every heartbeat writes an entry there). A directory's change time says nothing finer than its
 * clock's resolution, so a head read within a few seconds of its directory's last change is read
 * again next time.
 */
public final class LedgerHeads {
  /** How long after its directory last changed a head read is trusted to be the newest. */
  private static final long SETTLE_MILLIS = 5_000;

  private final Ledger ledger;
  private final Map<String, Seen> seen = new HashMap<>();

  private record Seen(long changedAt, boolean settled, LedgerEntry head) {}

  private LedgerHeads(Ledger ledger) {
    this.ledger = requireNonNull(ledger, "ledger is null");
  }

  public static LedgerHeads of(Ledger ledger) {
    return new LedgerHeads(ledger);
  }

  /**
   * The newest entry of every dataset whose ledger changed at or after {@code since} (epoch
   * millis), by dataset id.
   */
  public synchronized Map<String, LedgerEntry> changedSince(long since) {
    Map<String, LedgerEntry> heads = new TreeMap<>();
    Set<String> listed = new HashSet<>();
    try {
      List<FileStatus> directories = ledger.directories();
      long now = System.currentTimeMillis();
      for (FileStatus directory : directories) {
        String name = directory.getPath().getName();
        listed.add(name);
        long changedAt = directory.getModificationTime();
        if (changedAt < since) {
          continue;
        }
        Seen before = seen.get(name);
        LedgerEntry head;
        if (before != null && before.settled() && before.changedAt() == changedAt) {
          head = before.head();
        } else {
          head = ledger.headIn(directory.getPath());
          seen.put(name, new Seen(changedAt, now - changedAt > SETTLE_MILLIS, head));
        }
        if (head != null) {
          heads.put(head.datasetId(), head);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the ledger at " + ledger.location() + ": " + e.getMessage(), e);
    }
    seen.keySet().retainAll(listed);
    return heads;
  }

  /** Every entry of a dataset, oldest first (for when its attempt and its step began). */
  public List<LedgerEntry> history(String datasetId) {
    return ledger.history(datasetId);
  }
}
