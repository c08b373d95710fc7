package io.dsmigrate.job.snapshot;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Copies a directory tree as a Spark job: the driver lists the tree, checks that the target's file
 * system has room for it where that file system reports its free space, and creates the
 * directories; executor tasks copy the files, a few per task, so no byte passes through the driver.
 * Every copy is verified before the copy counts: its length, and its checksum, either the one both
 * file systems compute themselves (HDFS's, when both sides offer the same kind) or, where they
 * offer none, a CRC32C of the bytes read from the source compared with one of the copy read back. A
 * source file that changes length while it is copied fails the copy.
 */
public final class TreeCopy {
  /** Files per task at most; a tree of fewer files takes fewer tasks. */
  private static final int FILES_PER_TASK = 8;

  private TreeCopy() {}

  /** What a copy did. */
  public record Copied(int files, long bytes, int checksummedByFileSystem) {}

  /** One file to copy, relative to the tree's root. */
  record FileToCopy(String from, String to, long length) implements Serializable {}

  /**
   * Copies {@code from} (an empty directory when it does not exist) to {@code to}, which must not
   * exist yet or be empty.
   *
   * @param description the Spark job's description, for the Spark UI
   */
  public static Copied copy(SparkSession spark, Path from, Path to, String description)
      throws IOException {
    Configuration conf = spark.sessionState().newHadoopConf();
    FileSystem sourceFs = from.getFileSystem(conf);
    FileSystem targetFs = to.getFileSystem(conf);
    if (!sourceFs.exists(from)) {
      targetFs.mkdirs(to);
      return new Copied(0, 0, 0);
    }
    List<Path> directories = new ArrayList<>();
    List<FileToCopy> files = new ArrayList<>();
    long bytes = list(sourceFs, from, from, to, directories, files);
    checkRoom(targetFs, to, bytes);
    targetFs.mkdirs(to);
    for (Path directory : directories) {
      targetFs.mkdirs(directory);
    }
    if (files.isEmpty()) {
      return new Copied(0, 0, 0);
    }
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String previous = context.getLocalProperty("spark.job.description");
    context.setJobDescription(description);
    try {
      var shipped = context.broadcast(new SerializableConfiguration(conf));
      int tasks = Math.max(1, (files.size() + FILES_PER_TASK - 1) / FILES_PER_TASK);
      List<Boolean> byFileSystem =
          context
              .parallelize(files, Math.min(tasks, files.size()))
              .map(file -> copyOne(file, shipped.value().value()))
              .collect();
      int checksummed = (int) byFileSystem.stream().filter(b -> b).count();
      return new Copied(files.size(), bytes, checksummed);
    } catch (Exception e) { // Spark's job failure is a checked exception that Java does not see
      throw new IOException("copying " + from + " to " + to + " failed: " + rootMessage(e), e);
    } finally {
      context.setJobDescription(previous);
    }
  }

  /** Lists the tree below {@code root}; returns its bytes. */
  private static long list(
      FileSystem fs,
      Path root,
      Path directory,
      Path to,
      List<Path> directories,
      List<FileToCopy> files)
      throws IOException {
    long bytes = 0;
    for (FileStatus child : fs.listStatus(directory)) {
      Path copy = new Path(to, child.getPath().getName());
      if (child.isDirectory()) {
        directories.add(copy);
        bytes += list(fs, root, child.getPath(), copy, directories, files);
      } else {
        files.add(new FileToCopy(child.getPath().toString(), copy.toString(), child.getLen()));
        bytes += child.getLen();
      }
    }
    return bytes;
  }

  /**
   * Fails when the file system of {@code to} reports less free space than {@code bytes}. Object
   * stores report none (Hadoop's default status has no limit), and pass.
   */
  static void checkRoom(FileSystem fs, Path to, long bytes) throws IOException {
    Path existing = to;
    while (existing != null && !fs.exists(existing)) {
      existing = existing.getParent();
    }
    FsStatus status = fs.getStatus(existing);
    if (status.getRemaining() < bytes) {
      throw new IOException(
          "not enough free space for the copy at "
              + to
              + ": it needs "
              + bytes
              + " bytes and "
              + fs.getUri()
              + " has "
              + status.getRemaining()
              + " free; free space there or set dsmigrate.snapshots.dir to storage with room");
    }
  }

  /** Copies one file and verifies the copy; true when the file systems' checksums compared. */
  static boolean copyOne(FileToCopy file, Configuration conf) throws IOException {
    Path from = new Path(file.from());
    Path to = new Path(file.to());
    FileSystem sourceFs = from.getFileSystem(conf);
    FileSystem targetFs = to.getFileSystem(conf);
    CRC32C read = new CRC32C();
    long length = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = sourceFs.open(from);
        // A task run again after a failure replaces its own first try's partial copy.
        OutputStream out = targetFs.create(to, TaskContext.get().attemptNumber() > 0)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        read.update(buffer, 0, n);
        out.write(buffer, 0, n);
        length += n;
      }
    } catch (FileNotFoundException e) {
      throw new IOException(from + " disappeared while it was copied: " + e.getMessage(), e);
    }
    long sourceLength = sourceFs.getFileStatus(from).getLen();
    if (length != file.length() || sourceLength != file.length()) {
      throw new IOException(
          from
              + " changed while it was copied: it had "
              + file.length()
              + " bytes when listed, "
              + length
              + " when read and "
              + sourceLength
              + " after");
    }
    long copied = targetFs.getFileStatus(to).getLen();
    if (copied != length) {
      throw new IOException(
          "the copy " + to + " has " + copied + " bytes; " + from + " has " + length);
    }
    FileChecksum original = sourceFs.getFileChecksum(from);
    FileChecksum copy = original == null ? null : targetFs.getFileChecksum(to);
    if (original != null
        && copy != null
        && original.getAlgorithmName().equals(copy.getAlgorithmName())) {
      if (!original.equals(copy)) {
        throw new IOException(
            "the copy " + to + " differs from " + from + " (" + original + " vs " + copy + ")");
      }
      return true;
    }
    CRC32C back = new CRC32C();
    try (InputStream in = targetFs.open(to)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        back.update(buffer, 0, n);
      }
    }
    if (back.getValue() != read.getValue()) {
      throw new IOException(
          "the copy " + to + " differs from " + from + " (CRC32C of the bytes read back)");
    }
    return false;
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
