package io.dsmigrate.job.fleet;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code flaky:}, failing the next N status look-ups with an
 * IOException: a storage outage that passes, injected at the true edge (the file system).
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

  @Override
  public URI getUri() {
    return URI.create("flaky:///");
  }

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public FileStatus getFileStatus(Path path) throws IOException {
    if (FAILURES_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IOException("injected: storage briefly unavailable for " + path);
    }
    return super.getFileStatus(path);
  }
}
