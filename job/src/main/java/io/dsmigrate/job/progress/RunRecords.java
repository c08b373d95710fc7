package io.dsmigrate.job.progress;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where runs publish their {@link RunRecord}s: {@code <ledger dir>/.runs/<results database>/<run
 * id>/<part>.json}, beside the ledger (every process of a run reaches it, and a dot-name is never a
 * results database). A record is replaced whole (written aside, then renamed over the old one); a
 * reader that finds none for a moment keeps the one it read before.
 */
public final class RunRecords {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final FileSystem fileSystem;
  private final Path root;
  private final Map<Path, RunRecord> lastRead = new HashMap<>();

  private RunRecords(FileSystem fileSystem, Path root) {
    this.fileSystem = requireNonNull(fileSystem, "fileSystem is null");
    this.root = requireNonNull(root, "root is null");
  }

  /** The records of the runs of a ledger, beside it. */
  public static RunRecords of(Ledger ledger) {
    return new RunRecords(ledger.fileSystem(), ledger.beside(".runs"));
  }

  /** Where they are. */
  public String location() {
    return root.toString();
  }

  /** Publishes a record, replacing the one of the same run and part. */
  public void write(RunRecord record) {
    Path file = file(record.runId(), record.part());
    Path aside = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID());
    boolean created = false;
    try {
      fileSystem.mkdirs(file.getParent());
      // Replaced only when it is the record of this run and part (what an earlier write of this
      // part left): anything else at that name is not dsmigrate's to replace.
      byte[] existing = LedgerFiles.read(fileSystem, file);
      if (existing != null && !isRecordOf(existing, record)) {
        throw new IOException(
            file
                + " is not the progress record of run "
                + record.runId()
                + " ("
                + record.part()
                + "), so it was left as it is; move it away");
      }
      try (OutputStream out = fileSystem.create(aside, false)) {
        created = true; // created here, by this write: the finally may remove it
        out.write(JSON.writeValueAsBytes(record));
      }
      // The local file system renames over a file; HDFS refuses to, so make room first.
      if (!fileSystem.rename(aside, file)) {
        fileSystem.delete(file, false);
        if (!fileSystem.rename(aside, file)) {
          throw new IOException("cannot rename " + aside + " to " + file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot publish the progress of run "
              + record.runId()
              + " to "
              + file
              + ": "
              + e.getMessage()
              + ". Check that dsmigrate.ledger.dir is writable",
          e);
    } finally {
      try {
        if (created) {
          fileSystem.delete(aside, false); // gone already once renamed
        }
      } catch (IOException ignored) {
        // a stray file aside is harmless: readers take only <part>.json
      }
    }
  }

  private static boolean isRecordOf(byte[] bytes, RunRecord record) {
    try {
      RunRecord existing = JSON.readValue(bytes, RunRecord.class);
      return record.runId().equals(existing.runId()) && record.part().equals(existing.part());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The records of a run, one per part that has started. */
  public synchronized List<RunRecord> read(String runId) {
    List<RunRecord> records = new ArrayList<>();
    try {
      for (FileStatus status : list(new Path(root, LedgerFiles.safeName(runId)))) {
        Path path = status.getPath();
        if (path.getName().startsWith(".") || !path.getName().endsWith(".json")) {
          continue;
        }
        RunRecord record = readOne(path);
        if (record != null) {
          lastRead.put(path, record);
          records.add(record);
        } else if (lastRead.containsKey(path)) {
          records.add(lastRead.get(path));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the progress of run " + runId + " at " + root + ": " + e.getMessage(), e);
    }
    return records;
  }

  /** The run whose record changed last, or null when no run published one. */
  public String lastRunId() {
    try {
      String last = null;
      long newest = Long.MIN_VALUE;
      for (FileStatus run : list(root)) {
        for (FileStatus part : list(run.getPath())) {
          if (part.getPath().getName().endsWith(".json")
              && !part.getPath().getName().startsWith(".")
              && part.getModificationTime() > newest) {
            RunRecord record = readOne(part.getPath());
            if (record != null) {
              newest = part.getModificationTime();
              last = record.runId();
            }
          }
        }
      }
      return last;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the run records at " + root + ": " + e.getMessage(), e);
    }
  }

  private FileStatus[] list(Path directory) throws IOException {
    try {
      return fileSystem.listStatus(directory);
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }

  private RunRecord readOne(Path path) throws IOException {
    byte[] bytes = LedgerFiles.read(fileSystem, path);
    if (bytes == null) {
      return null; // replaced just now; the caller keeps what it read before
    }
    try {
      return JSON.readValue(bytes, RunRecord.class);
    } catch (IOException e) {
      return null; // not one of ours, or cut short: skipped like a missing one
    }
  }

  private Path file(String runId, String part) {
    return new Path(new Path(root, LedgerFiles.safeName(runId)), part + ".json");
  }
}
