package io.dsmigrate.job.fleet;

/**
 * When a wave has failed too much to go on: once at least {@code minFailures} of its datasets
 * failed and they are more than {@code maxFailureRate} of those that finished, the fleet stops
 * starting datasets of the wave, lets those in flight finish, and rolls the wave back.
 *
 * @param maxFailureRate the share of finished datasets that may fail, 0 to 1 (1 = never stop)
 * @param minFailures failures needed before the rate counts, so that one early failure does not
 *     stop a wave
 */
public record ErrorThreshold(double maxFailureRate, int minFailures) {
  public ErrorThreshold {
    if (!(maxFailureRate >= 0 && maxFailureRate <= 1)) {
      throw new IllegalArgumentException(
          "dsmigrate.fleet.error-threshold.max-failure-rate must be 0 to 1, not " + maxFailureRate);
    }
    if (minFailures < 1) {
      throw new IllegalArgumentException(
          "dsmigrate.fleet.error-threshold.min-failures must be 1 or more, not " + minFailures);
    }
  }

  /** Never stops a wave. */
  public static final ErrorThreshold NEVER = new ErrorThreshold(1, Integer.MAX_VALUE);

  /** Whether {@code failed} failures out of {@code finished} datasets pass the threshold. */
  public boolean passedBy(int failed, int finished) {
    return failed >= minFailures && finished > 0 && failed > maxFailureRate * finished;
  }

  /** Why a wave stopped, for its results rows. */
  public String reason(int wave, int failed, int finished) {
    return String.format(
        "wave %d stopped by the error threshold: %d of %d finished datasets failed (%.0f%%, more"
            + " than dsmigrate.fleet.error-threshold.max-failure-rate %.0f%% with at least"
            + " min-failures %d)",
        wave, failed, finished, 100.0 * failed / finished, 100 * maxFailureRate, minFailures);
  }
}
