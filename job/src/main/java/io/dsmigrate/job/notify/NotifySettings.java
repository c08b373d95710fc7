package io.dsmigrate.job.notify;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.time.Duration;

/**
 * Where notices go and how hard dsmigrate tries ({@code dsmigrate.notify.*}), and where the report
 * is published ({@code dsmigrate.report.url}), for the link to a dataset's section.
 *
 * @param webhookUrl the http(s) URL notices are POSTed to; empty: no notices
 * @param retries attempts after the first for a notice the webhook did not take
 * @param backoff the wait before the first retry, doubled for each next one
 * @param timeout how long one attempt may take (connecting and the answer)
 * @param drain how long the end of a run waits for the notices still queued; the rest are recorded
 *     as not sent
 * @param reportUrl where the report is published ({@code report.html}); empty: no links
 */
public record NotifySettings(
    String webhookUrl,
    int retries,
    Duration backoff,
    Duration timeout,
    Duration drain,
    String reportUrl) {

  /** No webhook: nothing is sent and nothing recorded. */
  public static final NotifySettings OFF =
      new NotifySettings("", 0, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ZERO, "");

  public NotifySettings {
    requireNonNull(webhookUrl, "webhookUrl is null");
    requireNonNull(backoff, "backoff is null");
    requireNonNull(timeout, "timeout is null");
    requireNonNull(drain, "drain is null");
    reportUrl = reportUrl == null ? "" : reportUrl;
  }

  /** Whether a webhook is configured. */
  public boolean enabled() {
    return !webhookUrl.isBlank();
  }

  /** The link to a dataset's section of the report, or null when no report URL is set. */
  public String reportLink(String datasetId) {
    return reportUrl.isBlank() ? null : reportUrl + "#dataset-" + datasetId;
  }

  /**
   * Reads {@code notify.*} and {@code report.url} of dsmigrate's configuration (the {@code
   * dsmigrate} block); a bad value fails with where it was set.
   */
  public static NotifySettings from(Config config) {
    String url = config.getString("notify.webhook.url").trim();
    if (!url.isEmpty()) {
      String problem = httpUrlProblem(url);
      if (problem != null) {
        throw bad(
            config, "notify.webhook.url", problem + ", e.g. https://hooks.example.com/dsmigrate");
      }
    }
    int retries = config.getInt("notify.webhook.retries");
    if (retries < 0) {
      throw bad(config, "notify.webhook.retries", "must be 0 or more");
    }
    Duration backoff = config.getDuration("notify.webhook.backoff");
    if (backoff.isNegative()) {
      throw bad(config, "notify.webhook.backoff", "must be 0 or more, e.g. 1s");
    }
    Duration timeout = config.getDuration("notify.webhook.timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw bad(config, "notify.webhook.timeout", "must be positive, e.g. 10s");
    }
    Duration drain = config.getDuration("notify.webhook.drain");
    if (drain.isNegative()) {
      throw bad(config, "notify.webhook.drain", "must be 0 or more, e.g. 1m");
    }
    String report = config.getString("report.url").trim();
    if (!report.isEmpty() && report.contains("#")) {
      throw bad(
          config,
          "report.url",
          "must not hold a fragment (#...): notices link to <report.url>#dataset-<id>");
    }
    return new NotifySettings(url, retries, backoff, timeout, drain, report);
  }

  private static String httpUrlProblem(String url) {
    try {
      URI uri = URI.create(url);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
        return "must be an http or https URL, not " + url;
      }
      if (uri.getHost() == null) {
        return "must name a host: " + url;
      }
      return null;
    } catch (IllegalArgumentException e) {
      return "is not a URL (" + e.getMessage() + ")";
    }
  }

  private static ConfigException bad(Config config, String path, String message) {
    return new ConfigException.BadValue(
        config.getValue(path).origin(), "dsmigrate." + path, message);
  }
}
