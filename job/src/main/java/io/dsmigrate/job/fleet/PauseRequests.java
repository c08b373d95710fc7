package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LedgerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Pause requests: a file {@code <control dir>/<run id>.pause} that {@code dsmigrate pause} writes
 * and a running fleet looks for before it starts each dataset. A paused fleet finishes the datasets
 * in flight and records the rest PAUSED.
 *
 * <p>A request stands until {@code dsmigrate resume} lifts it, so a scheduler that retries the
 * paused job (Airflow does) does not undo the pause; once it is lifted, running the run again with
 * the same run id migrates the rest.
 */
public final class PauseRequests {
  private final FileSystem fileSystem;
  private final Path directory;

  private PauseRequests(FileSystem fileSystem, Path directory) {
    this.fileSystem = requireNonNull(fileSystem, "fileSystem is null");
    this.directory = requireNonNull(directory, "directory is null");
  }

  /** The requests under {@code directory} (a path or a URI). */
  public static PauseRequests in(String directory, Configuration conf) {
    String location = LedgerFiles.uri(directory);
    try {
      return new PauseRequests(LedgerFiles.fileSystem(location, conf), new Path(location));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the control directory "
              + location
              + ": "
              + e.getMessage()
              + ". Fix dsmigrate.control.dir",
          e);
    }
  }

  /** Asks the run to pause; {@code note} says who asked and when. */
  public void request(String runId, String note) {
    try {
      fileSystem.mkdirs(directory);
      LedgerFiles.writeText(fileSystem, file(runId), note);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the pause request " + file(runId) + ": " + e.getMessage(), e);
    }
  }

  /** The standing request of a run (who asked and when), or null when there is none. */
  public String requested(String runId) {
    try {
      byte[] note = LedgerFiles.read(fileSystem, file(runId));
      return note == null ? null : new String(note, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the pause request " + file(runId) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Lifts the request of a run.
   *
   * @return false when there was none
   */
  public boolean lift(String runId) {
    try {
      return fileSystem.delete(file(runId), false);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot remove the pause request " + file(runId) + ": " + e.getMessage(), e);
    }
  }

  /** Where the request of a run is. */
  public String location(String runId) {
    return file(runId).toString();
  }

  private Path file(String runId) {
    return new Path(directory, LedgerFiles.safeName(runId) + ".pause");
  }
}
