package io.dsmigrate.job.results;

import io.dsmigrate.job.spec.DatasetSpec;
import java.io.IOException;
import org.apache.spark.SparkThrowable;

/** Turns any failure into a classified {@link MigrationException} that names the dataset. */
public final class Failures {
  private Failures() {}

  public static MigrationException classify(Throwable failure, DatasetSpec spec, String step) {
    return classify(failure, spec, step, null, null);
  }

  /**
   * Classifies a failure of a dataset whose source and target locations are known (URIs; either may
   * be null), so that a source file that cannot be read is told from a target that cannot be
   * written.
   */
  public static MigrationException classify(
      Throwable failure,
      DatasetSpec spec,
      String step,
      String sourceLocation,
      String targetLocation) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof MigrationException known) {
        return known;
      }
    }
    MigrationException storage =
        StorageFailures.classify(failure, spec, sourceLocation, targetLocation);
    if (storage != null) {
      return storage;
    }
    ErrorClass errorClass = ErrorClass.INTERNAL_ERROR;
    String hint = "See the driver log for the stack trace";
    Throwable telling = failure;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      telling = cause;
      if (cause instanceof SparkThrowable spark && spark.getCondition() != null) {
        String condition = spark.getCondition();
        if (condition.startsWith("CAST_")
            || condition.contains("OUT_OF_RANGE")
            || condition.startsWith("ARITHMETIC")) {
          errorClass = ErrorClass.CAST_FAILED;
          hint =
              "Fix transform.cast in " + spec.at("transform.cast") + ", or clean the source rows";
          break;
        }
        if (condition.startsWith("UNRESOLVED_COLUMN")) {
          errorClass = ErrorClass.COLUMN_NOT_FOUND;
          hint = "Fix the transform in " + spec.at("transform");
          break;
        }
        if (condition.startsWith("TABLE_OR_VIEW_NOT_FOUND")
            || condition.startsWith("PATH_NOT_FOUND")) {
          errorClass = ErrorClass.SOURCE_NOT_FOUND;
          hint = "Fix source in " + spec.at("source");
          break;
        }
      }
      if (cause instanceof IOException) {
        errorClass = ErrorClass.IO_ERROR;
        hint = "Check that the source is readable and the target writable";
        break;
      }
    }
    return new MigrationException(
        errorClass,
        "Cannot migrate "
            + spec.id()
            + " (step "
            + step
            + "): "
            + firstLine(messageOf(failure, telling))
            + ". "
            + hint,
        failure);
  }

  // Wrappers such as TASK_WRITE_FAILED report their cause's condition; the message worth showing
  // is the one that names that condition ("[CAST_INVALID_INPUT] The value 'abc' ...").
  private static String messageOf(Throwable failure, Throwable telling) {
    if (telling instanceof SparkThrowable spark && spark.getCondition() != null) {
      String marker = "[" + spark.getCondition();
      for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
        if (cause.getMessage() != null && cause.getMessage().startsWith(marker)) {
          return cause.getMessage();
        }
      }
    }
    return rootMessage(telling);
  }

  static String rootMessage(Throwable failure) {
    String message = failure.getMessage();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SparkThrowable && cause.getMessage() != null) {
        return cause.getMessage();
      }
      if (cause.getMessage() != null) {
        message = cause.getMessage();
      }
    }
    return message == null ? failure.getClass().getSimpleName() : message;
  }

  /** The first line of a (often multi-line) Spark message. */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    line = newline < 0 ? line : line.substring(0, newline);
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }
}
