package io.dsmigrate.job.fleet;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code buggy:}, whose listings throw an unchecked
 * exception while {@link #BROKEN} is set: a file system client with a bug, which throws what no
 * caller expects (not an IOException).
 */
public final class BuggyFileSystem extends RawLocalFileSystem {
  static final AtomicBoolean BROKEN = new AtomicBoolean();

  @Override
  public URI getUri() {
    return URI.create("buggy:///");
  }

  @Override
  public String getScheme() {
    return "buggy";
  }

  @Override
  public FileStatus[] listStatus(Path path) throws FileNotFoundException, IOException {
    if (BROKEN.get()) {
      throw new IllegalStateException("injected: the file system client failed listing " + path);
    }
    return super.listStatus(path);
  }
}
