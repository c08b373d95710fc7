package io.dsmigrate.job.results;

import static java.util.Objects.requireNonNull;

/** A failure with its class and a message that says what to change. */
public final class MigrationException extends RuntimeException {
  private final ErrorClass errorClass;

  public MigrationException(ErrorClass errorClass, String message) {
    this(errorClass, message, null);
  }

  public MigrationException(ErrorClass errorClass, String message, Throwable cause) {
    super(message, cause);
    this.errorClass = requireNonNull(errorClass, "errorClass is null");
  }

  public ErrorClass errorClass() {
    return errorClass;
  }
}
