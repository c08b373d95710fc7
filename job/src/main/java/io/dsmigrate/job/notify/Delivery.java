package io.dsmigrate.job.notify;

import static java.util.Objects.requireNonNull;

import java.sql.Timestamp;

/**
 * How the webhook took one notice: sent (an answer of 2xx), or not, with what went wrong.
 *
 * @param sentAt when the webhook took it; null when it did not
 * @param attempts the requests made (0: none, e.g. the run ended first)
 * @param httpStatus the last answer's status, or null when none came
 * @param error what went wrong, or null when sent
 */
public record Delivery(
    Notice notice, Timestamp sentAt, int attempts, Integer httpStatus, String error) {
  public Delivery {
    requireNonNull(notice, "notice is null");
  }

  /** Whether the webhook took the notice. */
  public boolean sent() {
    return sentAt != null;
  }

  /** A notice never sent, for {@code reason}. */
  static Delivery notSent(Notice notice, String reason) {
    return new Delivery(notice, null, 0, null, reason);
  }
}
