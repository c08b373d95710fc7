package io.dsmigrate.job.fs;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;

/**
 * Whether this process may create something in a directory, asked before anything is written: on
 * the local file system as the operating system answers it, elsewhere as the file system's own
 * permission check does ({@code FileSystem.access}: HDFS checks its permissions and ACLs; object
 * stores allow everything and refuse the write itself).
 */
public final class Writable {
  private Writable() {}

  /** True when this process may create files in {@code directory} (an existing directory). */
  public static boolean directory(FileSystem fs, Path directory) throws IOException {
    if (fs.getScheme().equals("file")) {
      return java.nio.file.Files.isWritable(
          java.nio.file.Path.of(fs.makeQualified(directory).toUri()));
    }
    try {
      fs.access(directory, FsAction.WRITE_EXECUTE);
      return true;
    } catch (AccessControlException e) {
      return false;
    }
  }
}
