package io.dsmigrate.job.ledger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The ledger: where every dataset stands, written before and after each step of its migration, so
 * that a run that stops at any point (a kill, a crash, a lost driver) can be finished by the next
 * run, and so that two runs never migrate one dataset at the same time.
 *
 * <p>Each dataset has a directory of JSON entries, {@code <dir>/<results database>/<dataset>/
 * <generation>.json}, one per step. An entry is never changed: the next step writes the next
 * generation, created with {@link LedgerFiles#createExclusive} so that of two writers of one
 * generation exactly one wins. The newest entry is where the dataset stands, and an entry in flight
 * is a lease: only its owner may write the next generation until the lease expires (or, on this
 * machine, until the owner's process is gone). This is the protocol of Delta's own transaction log,
 * applied per dataset; Delta itself is not used because its commits are mutually exclusive across
 * processes only where the file system's rename is (HDFS, not the local file system), and because a
 * Delta commit per step would cost more than the step on small datasets.
 *
 * <p>The ledger is plain JSON that Spark reads: {@code
 * spark.read.json("<dir>/<database>/*&#47;*.json")}.
 */
public final class Ledger {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Pattern ENTRY = Pattern.compile("(\\d{10})\\.json");

  private final FileSystem fileSystem;
  private final Path root;

  private Ledger(FileSystem fileSystem, Path root) {
    this.fileSystem = requireNonNull(fileSystem, "fileSystem is null");
    this.root = requireNonNull(root, "root is null");
  }

  /**
   * The ledger of the results database {@code database} under {@code directory} (a path or URI).
   */
  public static Ledger open(String directory, String database, Configuration conf) {
    String location = LedgerFiles.uri(directory);
    try {
      return new Ledger(
          LedgerFiles.fileSystem(location, conf), new Path(new Path(location), database));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the ledger at "
              + location
              + ": "
              + e.getMessage()
              + ". Fix dsmigrate.ledger.dir",
          e);
    }
  }

  /**
   * A directory beside the ledger's entries, for more state of the same runs: {@code
   * <dir>/<name>/<database>}, on the ledger's file system ({@link #fileSystem}). A {@code name}
   * that is no results database's name (one with a dot) never meets one.
   */
  public Path beside(String name) {
    return new Path(new Path(root.getParent(), name), root.getName());
  }

  /** The file system the ledger is on. */
  public FileSystem fileSystem() {
    return fileSystem;
  }

  /** Where the ledger's entries are. */
  public String location() {
    return root.toString();
  }

  /** The newest entry of a dataset: where it stands, or null when it has none. */
  public LedgerEntry head(String datasetId) {
    try {
      // A heartbeat entry may be pruned between listing and reading; list again then.
      for (int tries = 0; ; tries++) {
        List<Path> entries = entries(datasetId);
        if (entries.isEmpty()) {
          return null;
        }
        LedgerEntry head = read(entries.get(entries.size() - 1));
        if (head != null || tries >= 5) {
          return head;
        }
      }
    } catch (IOException e) {
      throw unreadable(datasetId, e);
    }
  }

  /** Every entry of a dataset, oldest first (heartbeats that were superseded are pruned). */
  public List<LedgerEntry> history(String datasetId) {
    try {
      List<LedgerEntry> history = new ArrayList<>();
      for (Path path : entries(datasetId)) {
        LedgerEntry entry = read(path);
        if (entry != null) {
          history.add(entry);
        }
      }
      return history;
    } catch (IOException e) {
      throw unreadable(datasetId, e);
    }
  }

  /** The newest entry of every dataset in the ledger, by dataset id. */
  public Map<String, LedgerEntry> heads() {
    Map<String, LedgerEntry> heads = new TreeMap<>();
    try {
      if (!fileSystem.exists(root)) {
        return heads;
      }
      for (FileStatus directory : fileSystem.listStatus(root)) {
        if (!directory.isDirectory()) {
          continue;
        }
        List<Path> entries = entries(directory.getPath());
        if (!entries.isEmpty()) {
          LedgerEntry head = read(entries.get(entries.size() - 1));
          if (head != null) {
            heads.put(head.datasetId(), head);
          }
        }
      }
      return heads;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the ledger at " + root + ": " + e.getMessage(), e);
    }
  }

  /** The datasets' directories, each with when it last changed. */
  List<FileStatus> directories() throws IOException {
    if (!fileSystem.exists(root)) {
      return List.of();
    }
    List<FileStatus> directories = new ArrayList<>();
    for (FileStatus status : fileSystem.listStatus(root)) {
      if (status.isDirectory()) {
        directories.add(status);
      }
    }
    return directories;
  }

  /** The newest entry in a dataset's directory, or null when it has none. */
  LedgerEntry headIn(Path directory) throws IOException {
    List<Path> entries = entries(directory);
    return entries.isEmpty() ? null : read(entries.get(entries.size() - 1));
  }

  /**
   * Takes a dataset for {@code owner}, if its ledger still stands at {@code head} (the entry the
   * caller decided on; null for a dataset new to the ledger). The caller must have checked that
   * {@code head} is not held by an owner that is still alive. A dataset left in flight by an owner
   * that is gone is taken over as it stands: the new entry keeps its state and progress, for the
   * recovery ({@code Recovery}) to pick up.
   *
   * @return the lease, or null when another run wrote the dataset's ledger since {@code head}
   *     (decide again from the new head)
   */
  public Lease claim(
      LedgerEntry head,
      String datasetId,
      String specHash,
      LeaseOwner owner,
      Duration lease,
      HaltPoint halt) {
    long now = System.currentTimeMillis();
    LedgerEntry first;
    if (head != null && head.holdsLease()) {
      first =
          new LedgerEntry(
              head.generation() + 1,
              datasetId,
              head.state(),
              head.recorded(),
              owner,
              now,
              now + lease.toMillis(),
              false,
              head.specHash(),
              head.commitTag(),
              head.progress(),
              head.result(),
              "taken over from "
                  + head.owner().describe()
                  + (now > head.leaseExpiresAt()
                      ? ", whose lease expired at " + Instant.ofEpochMilli(head.leaseExpiresAt())
                      : ", whose process is gone"));
    } else {
      first =
          new LedgerEntry(
              head == null ? 1 : head.generation() + 1,
              datasetId,
              LedgerState.STARTED,
              false,
              owner,
              now,
              now + lease.toMillis(),
              false,
              specHash,
              null,
              null,
              null,
              null);
    }
    try {
      if (!write(first)) {
        return null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot take "
              + datasetId
              + " in the ledger at "
              + directory(datasetId)
              + ": "
              + e.getMessage()
              + ". Check that dsmigrate.ledger.dir is writable",
          e);
    }
    if (first.note() == null) {
      halt.reached(datasetId, first.state().name());
    }
    return new Lease(this, first, specHash, lease, halt);
  }

  /** Writes an entry as its generation; false when that generation exists (another writer won). */
  boolean write(LedgerEntry entry) throws IOException {
    Path directory = directory(entry.datasetId());
    fileSystem.mkdirs(directory);
    return LedgerFiles.createExclusive(
        fileSystem, new Path(directory, name(entry.generation())), JSON.writeValueAsBytes(entry));
  }

  /** Removes a superseded heartbeat entry. */
  void prune(LedgerEntry entry) throws IOException {
    fileSystem.delete(new Path(directory(entry.datasetId()), name(entry.generation())), false);
  }

  private List<Path> entries(String datasetId) throws IOException {
    return entries(directory(datasetId));
  }

  private List<Path> entries(Path directory) throws IOException {
    FileStatus[] listed;
    try {
      listed = fileSystem.listStatus(directory);
    } catch (FileNotFoundException e) {
      return List.of();
    }
    List<Path> entries = new ArrayList<>();
    for (FileStatus status : listed) {
      if (ENTRY.matcher(status.getPath().getName()).matches()) {
        entries.add(status.getPath());
      }
    }
    entries.sort(Comparator.comparing(Path::getName));
    return entries;
  }

  private LedgerEntry read(Path path) throws IOException {
    byte[] bytes = LedgerFiles.read(fileSystem, path);
    return bytes == null ? null : JSON.readValue(bytes, LedgerEntry.class);
  }

  private Path directory(String datasetId) {
    return new Path(root, LedgerFiles.safeName(datasetId));
  }

  private static String name(long generation) {
    return String.format("%010d.json", generation);
  }

  private UncheckedIOException unreadable(String datasetId, IOException e) {
    return new UncheckedIOException(
        "Cannot read the ledger of "
            + datasetId
            + " at "
            + directory(datasetId)
            + ": "
            + e.getMessage()
            + ". Check that dsmigrate.ledger.dir is readable",
        e);
  }
}
