package io.dsmigrate.job.agent;

import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.validation.ComparisonResult;
import java.io.Serializable;

/**
 * What an agent did with one dataset.
 *
 * <ul>
 *   <li>{@link Kind#MIGRATED}: the target is written, committed (version {@code version}) and its
 *       rows match the transformed source ({@code comparison}).
 *   <li>{@link Kind#DIFFERS}: written and committed, but the profiles differ: the driver finds the
 *       differences with the Spark path's validation (and undoes the write).
 *   <li>{@link Kind#HANDED_BACK}: nothing was changed (or what was, is removed); the dataset takes
 *       the Spark path ({@code message} says why; {@code failure} is what failed, if anything did).
 *   <li>{@link Kind#FAILED}: the dataset failed ({@code errorClass}, {@code message}); whatever the
 *       agent wrote is removed ({@code undone}), or could not be ({@code undone} false, and the
 *       driver undoes it as after a crash).
 * </ul>
 */
public record AgentOutcome(
    String datasetId,
    Kind kind,
    ComparisonResult comparison,
    Long version,
    ErrorClass errorClass,
    String message,
    boolean undone,
    long startedMillis,
    long finishedMillis,
    Throwable failure)
    implements Serializable {

  public enum Kind {
    MIGRATED,
    DIFFERS,
    HANDED_BACK,
    FAILED
  }

  static AgentOutcome handedBack(String datasetId, String why, long started) {
    return failed(datasetId, why, null, started);
  }

  /** Handed back after {@code failure}, whatever the agent wrote removed. */
  static AgentOutcome failed(String datasetId, String why, Throwable failure, long started) {
    return new AgentOutcome(
        datasetId,
        Kind.HANDED_BACK,
        null,
        null,
        null,
        why,
        true,
        started,
        System.currentTimeMillis(),
        failure);
  }
}
