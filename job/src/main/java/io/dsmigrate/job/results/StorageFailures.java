package io.dsmigrate.job.results;

import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.security.AccessControlException;
import org.apache.spark.SparkThrowable;

/**
 * Failures of storage that another attempt cannot fix: a source file that cannot be decoded
 * (SOURCE_CORRUPT), a source that cannot be read (SOURCE_UNREADABLE), a target that cannot be
 * written (TARGET_UNWRITABLE). Each message names the file or path, the cause and the fix. Storage
 * errors that may pass (a connection reset, a node briefly gone) are left to {@link Failures},
 * which makes them a retried IO_ERROR.
 */
public final class StorageFailures {
  private StorageFailures() {}

  /**
   * The failure as one of the classes above, or null.
   *
   * @param sourceLocation where the source is (a URI), or null when not known yet
   * @param targetLocation where the target goes (a URI), or null when not known yet
   */
  static MigrationException classify(
      Throwable failure, DatasetSpec spec, String sourceLocation, String targetLocation) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SparkThrowable spark && spark.getCondition() != null) {
        String condition = spark.getCondition();
        if (condition.startsWith("FAILED_READ_FILE")) {
          String file = spark.getMessageParameters().get("path");
          // A target read back for validation that fails is not the source's fault.
          return file != null && under(file, targetLocation) && !under(file, sourceLocation)
              ? null
              : sourceFile(failure, spec, condition, file);
        }
        if (condition.equals("DELTA_CANNOT_CREATE_LOG_PATH") && targetLocation != null) {
          return targetUnwritable(spec, targetLocation, deepestMessage(cause), failure);
        }
      }
      if (cause instanceof ParentNotDirectoryException && targetLocation != null) {
        return targetUnwritable(spec, targetLocation, cause.getMessage(), failure);
      }
      if (accessDenied(cause) || cause instanceof UnsupportedFileSystemException) {
        String reason =
            accessDenied(cause) ? denied(cause) : Failures.firstLine(cause.getMessage());
        return writing(cause, targetLocation)
            ? targetUnwritable(spec, targetLocation, reason, failure)
            : sourceUnreadable(spec, sourceLocation, reason, failure);
      }
    }
    return null;
  }

  /** The target cannot be written; nothing of it is left, the source is kept. */
  public static MigrationException targetUnwritable(
      DatasetSpec spec, String targetLocation, String reason, Throwable cause) {
    return new MigrationException(
        ErrorClass.TARGET_UNWRITABLE,
        "Cannot migrate "
            + spec.id()
            + ": cannot write target "
            + spec.target().describe()
            + " at "
            + Names.path(targetLocation)
            + ": "
            + reason
            + ". The source is kept. Choose a target that can be written in "
            + spec.at("target")
            + ", or fix the path or its permissions",
        cause);
  }

  /** The source cannot be read at all. */
  static MigrationException sourceUnreadable(
      DatasetSpec spec, String sourceLocation, String reason, Throwable cause) {
    return new MigrationException(
        ErrorClass.SOURCE_UNREADABLE,
        "Cannot migrate "
            + spec.id()
            + ": cannot read source "
            + spec.source().describe()
            + (sourceLocation != null && spec.source().table() != null
                ? " at " + Names.path(sourceLocation)
                : "")
            + ": "
            + reason
            + ". The source is kept. Make it readable for the job (permissions, file system"
            + " configuration), or fix source in "
            + spec.at("source"),
        cause);
  }

  private static MigrationException sourceFile(
      Throwable failure, DatasetSpec spec, String condition, String file) {
    String name = file == null ? "(unknown file)" : Names.path(file);
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (accessDenied(cause)) {
        return sourceUnreadable(spec, file, denied(cause), failure);
      }
    }
    if (condition.endsWith("FILE_NOT_EXIST") || has(failure, FileNotFoundException.class)) {
      return new MigrationException(
          ErrorClass.SOURCE_UNREADABLE,
          "Cannot migrate "
              + spec.id()
              + ": source file "
              + name
              + " is gone: source "
              + spec.source().describe()
              + " lists it, but it does not exist. The source is kept. Restore the file, or"
              + " repair the source's file list (a Delta table: FSCK REPAIR TABLE; a Hive table:"
              + " MSCK REPAIR TABLE or REFRESH TABLE), then run again",
          failure);
    }
    if (has(failure, IOException.class)) {
      return null; // the storage failed, not the file: another attempt may pass
    }
    return new MigrationException(
        ErrorClass.SOURCE_CORRUPT,
        "Cannot migrate "
            + spec.id()
            + ": source file "
            + name
            + " is corrupt: "
            + Failures.firstLine(deepestMessage(failure)).replace(name, "it")
            + ". The source is kept. Replace or remove that file in source "
            + spec.source().describe()
            + ", then run again",
        failure);
  }

  private static boolean writing(Throwable cause, String targetLocation) {
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (targetLocation == null) {
      return false;
    }
    if (cause instanceof UnsupportedFileSystemException) {
      String scheme = new org.apache.hadoop.fs.Path(targetLocation).toUri().getScheme();
      return scheme != null && message.contains('"' + scheme + '"');
    }
    String path = new org.apache.hadoop.fs.Path(targetLocation).toUri().getPath();
    return message.contains("access=WRITE") || (path != null && message.contains(path));
  }

  private static String denied(Throwable cause) {
    String message = Failures.firstLine(cause.getMessage());
    return message.toLowerCase(java.util.Locale.ROOT).contains("permission denied")
        ? message
        : "permission denied: " + message;
  }

  // The local file system reports a denied open as FileNotFoundException "... (Permission denied)".
  private static boolean accessDenied(Throwable cause) {
    return cause instanceof AccessControlException
        || cause instanceof AccessDeniedException
        || (cause instanceof FileNotFoundException
            && cause.getMessage() != null
            && cause.getMessage().endsWith("(Permission denied)"));
  }

  private static boolean under(String file, String location) {
    if (location == null) {
      return false;
    }
    String path = Names.path(file);
    String root = Names.path(location);
    return path.equals(root) || path.startsWith(root + "/");
  }

  private static boolean has(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  // Parquet's own words ("... is not a Parquet file. Expected magic number at tail ...") are at
  // the bottom of the chain, under Spark's wrappers.
  private static String deepestMessage(Throwable failure) {
    String message = failure.getMessage();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
        message = cause.getMessage();
      }
    }
    return message == null ? failure.getClass().getSimpleName() : message;
  }
}
