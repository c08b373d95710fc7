package io.dsmigrate.job.results;

/**
 * Why a dataset failed, as recorded in the results table. The kind says whose move it is: USER (fix
 * the spec or the data), EXTERNAL (the environment; retried), INTERNAL (a bug or a mismatch
 * dsmigrate could not explain).
 */
public enum ErrorClass {
  SOURCE_NOT_FOUND(Kind.USER),
  /** A source file that cannot be decoded (not Parquet, truncated, garbage): fix the data. */
  SOURCE_CORRUPT(Kind.USER),
  /**
   * A source that exists but cannot be read: permission denied, a file its listing names is gone,
   * no file system for its scheme. Retrying does not help until someone fixes the environment.
   */
  SOURCE_UNREADABLE(Kind.EXTERNAL),
  /** The source's schema is not the one the plan was made for: plan again. */
  SCHEMA_DRIFT(Kind.USER),
  COLUMN_NOT_FOUND(Kind.USER),
  SQL_ERROR(Kind.USER),
  CAST_FAILED(Kind.USER),
  TARGET_EXISTS(Kind.USER),
  /**
   * The target cannot be written: its parent is a file, permission denied, no file system for its
   * scheme. Retrying does not help until someone fixes the path or the environment.
   */
  TARGET_UNWRITABLE(Kind.EXTERNAL),
  /**
   * The spec asks for something the security settings forbid ({@code dsmigrate.security.*}): a
   * transform that is not one read-only SELECT over {@code source}, a script or a path outside the
   * allowed locations.
   */
  NOT_ALLOWED(Kind.USER),
  UNSUPPORTED(Kind.USER),
  VALIDATION_FAILED(Kind.INTERNAL),
  /** The data matches, but a consumer query gives another result on the new data. */
  QUERY_MISMATCH(Kind.USER),
  /**
   * The source was written to after it was read and before the cut-over would have given its name
   * to the target: the target lacks the new data. Everything is undone; a new run migrates it.
   */
  SOURCE_CHANGED(Kind.EXTERNAL),
  TIMEOUT(Kind.EXTERNAL),
  IO_ERROR(Kind.EXTERNAL),
  ROLLBACK_FAILED(Kind.INTERNAL),
  INTERNAL_ERROR(Kind.INTERNAL);

  /** Whose move it is. */
  public enum Kind {
    USER,
    EXTERNAL,
    INTERNAL
  }

  private final Kind kind;

  ErrorClass(Kind kind) {
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Worth another attempt: the same input may succeed when the environment recovers. */
  public boolean retryable() {
    return this == IO_ERROR;
  }
}
