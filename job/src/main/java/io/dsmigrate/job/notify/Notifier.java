package io.dsmigrate.job.notify;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.HaltPoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notices to the webhook ({@code dsmigrate.notify.webhook.url}) and records each in the
 * {@link NotificationsTable}, so that every event is sent once: a notice whose key the table
 * records as sent is skipped, also by a later run.
 *
 * <p>{@link #queue} never waits: it queues the notice for a background thread, which sends the
 * queued notices in order, each as a JSON POST with an {@code Idempotency-Key} header, retrying a
 * failure (no answer, 5xx, 408, 429) with a backoff doubled each time, then records the batch. A
 * webhook that fails is logged and recorded, never thrown: notices change no dataset's outcome and
 * hold no dataset up. {@link #close} waits for the queue up to {@code
 * dsmigrate.notify.webhook.drain} and records what is left as not sent. {@link #deliverNow} sends
 * and records on the caller's thread, for what must be told before it happens (a backup about to be
 * dropped).
 *
 * <p>A process killed between a send and its record sends that notice again when its run is
 * resumed: receivers drop a repeat by its {@code event_id} (the same for every send of an event).
 *
 * <pre>{@code
 * try (Notifier notifier = Notifier.open(spark, settings.notifications(), database, HaltPoint.NONE)) {
 *   notifier.queue(Notice.starting(runId, planId, spec, notifier.reportLink(spec.id())));
 * }
 * }</pre>
 */
public final class Notifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  /** Sends nothing, records nothing. */
  public static final Notifier NONE = new Notifier(null, NotifySettings.OFF, null, HaltPoint.NONE);

  /** Notices sent and recorded together, at most. */
  private static final int BATCH = 100;

  /** Notices queued at most; more are recorded as not sent. */
  private static final int QUEUE = 10_000;

  private final SparkSession spark;
  private final NotifySettings settings;
  private final String database;
  private final HaltPoint halt;
  private final HttpClient client;
  private final LinkedBlockingQueue<Notice> queue = new LinkedBlockingQueue<>(QUEUE);
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final List<Notice> overflow = new ArrayList<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger notSent = new AtomicInteger();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private NotificationsTable table;
  private Thread sender;
  private boolean closed;

  private Notifier(SparkSession spark, NotifySettings settings, String database, HaltPoint halt) {
    this.spark = spark;
    this.settings = settings;
    this.database = database;
    this.halt = halt;
    this.client =
        settings.enabled()
            ? HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .build()
            : null;
  }

  /**
   * A notifier of {@code settings}, recording in {@code database}'s notifications table; {@link
   * #NONE} when no webhook is set.
   *
   * @param halt for crash tests: halts after a notice of a dataset is recorded as sent (point
   *     {@code NOTICE_<EVENT>})
   */
  public static Notifier open(
      SparkSession spark, NotifySettings settings, String database, HaltPoint halt) {
    if (!settings.enabled()) {
      return NONE;
    }
    return new Notifier(
        requireNonNull(spark, "spark is null"),
        settings,
        requireNonNull(database, "database is null"),
        requireNonNull(halt, "halt is null"));
  }

  /** Whether notices go anywhere. */
  public boolean enabled() {
    return settings.enabled();
  }

  /** The link to a dataset's section of the report, or null. */
  public String reportLink(String datasetId) {
    return settings.reportLink(datasetId);
  }

  /**
   * Queues a notice for the webhook, unless one with its key was queued already; returns at once.
   */
  public void queue(Notice notice) {
    if (!enabled() || !queued.add(notice.key())) {
      return;
    }
    synchronized (this) {
      if (closed) {
        LOG.warn(
            "{}: notice {} came after the run ended; not sent", notice.datasetId(), notice.key());
        return;
      }
      if (sender == null) {
        sender = new Thread(this::sendQueued, "dsmigrate-notify");
        sender.setDaemon(true);
        sender.start();
      }
      pending.incrementAndGet();
      if (!queue.offer(notice)) {
        pending.decrementAndGet();
        overflow.add(notice);
      }
    }
  }

  /**
   * Sends the notices not sent before, now, on this thread, and records them; returns how each of
   * those went (the notices already sent are left out).
   */
  public List<Delivery> deliverNow(List<Notice> notices) {
    if (!enabled() || notices.isEmpty()) {
      return List.of();
    }
    return deliver(notices);
  }

  /** "Notices: 3 sent, 1 not sent (see dsmigrate.notifications)", or null when none were due. */
  public String summary() {
    if (sent.get() + notSent.get() == 0) {
      return null;
    }
    return "Notices: "
        + sent.get()
        + " sent, "
        + notSent.get()
        + " not sent (see "
        + database
        + ".notifications)";
  }

  /**
   * Waits for the queued notices, up to {@code dsmigrate.notify.webhook.drain}; records those left
   * as not sent.
   */
  @Override
  public void close() {
    if (!enabled()) {
      return;
    }
    Thread running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = sender;
    }
    long deadline = System.nanoTime() + settings.drain().toNanos();
    while (pending.get() > 0 && System.nanoTime() < deadline) {
      sleep(20);
    }
    stopping.countDown();
    List<Delivery> left = new ArrayList<>();
    if (running != null) {
      try {
        // The attempt in progress ends within the timeout; its batch is recorded after it.
        running.join(settings.timeout().plusMinutes(1).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (running.isAlive()) {
        LOG.warn("The notices' sender did not stop in time; its batch may be recorded late");
      }
      List<Notice> rest = new ArrayList<>();
      queue.drainTo(rest);
      for (Notice notice : rest) {
        left.add(
            Delivery.notSent(
                notice,
                "not sent: the run ended first (dsmigrate.notify.webhook.drain is "
                    + settings.drain()
                    + ")"));
      }
    }
    synchronized (this) {
      for (Notice notice : overflow) {
        left.add(Delivery.notSent(notice, "not sent: more than " + QUEUE + " notices were queued"));
      }
      overflow.clear();
    }
    if (!left.isEmpty()) {
      LOG.warn(
          "{} notices were not sent before the run ended; a rerun with the same run id sends those"
              + " of the datasets it takes again",
          left.size());
      notSent.addAndGet(left.size());
      record(left);
    }
  }

  /** The background sender: takes what is queued in batches until the notifier closes. */
  private void sendQueued() {
    spark
        .sparkContext()
        .setJobGroup("dsmigrate/notify", "notify: record notices sent to the webhook", false);
    while (stopping.getCount() > 0) {
      List<Notice> batch = new ArrayList<>();
      try {
        Notice first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, BATCH - 1);
      try {
        deliver(batch);
      } catch (RuntimeException e) { // never let one batch stop the notices after it
        LOG.warn("Cannot deliver {} notices: {}", batch.size(), e.toString());
      } finally {
        pending.addAndGet(-batch.size());
      }
    }
  }

  /** Sends those of {@code notices} not sent before and records how it went. */
  private List<Delivery> deliver(List<Notice> notices) {
    Set<String> before;
    try {
      before = table().sent(notices.stream().map(Notice::key).toList());
    } catch (RuntimeException e) { // cannot tell: sending twice beats not telling at all
      LOG.warn("Cannot read {}.notifications, sending without it: {}", database, e.toString());
      before = Set.of();
    }
    List<Delivery> deliveries = new ArrayList<>();
    for (Notice notice : notices) {
      if (before.contains(notice.key())) {
        LOG.info("{}: notice {} was sent before", notice.datasetId(), notice.key());
      } else if (stopping.getCount() == 0) {
        deliveries.add(
            Delivery.notSent(
                notice, "not sent: the run ended first (dsmigrate.notify.webhook.drain)"));
      } else {
        deliveries.add(send(notice));
      }
    }
    for (Delivery delivery : deliveries) {
      (delivery.sent() ? sent : notSent).incrementAndGet();
      if (!delivery.sent()) {
        LOG.warn(
            "{}: notice {} not sent to the webhook after {} attempts: {}",
            delivery.notice().datasetId(),
            delivery.notice().key(),
            delivery.attempts(),
            delivery.error());
      }
    }
    record(deliveries);
    for (Delivery delivery : deliveries) {
      if (delivery.sent()) {
        halt.reached(delivery.notice().datasetId(), "NOTICE_" + delivery.notice().event());
      }
    }
    return deliveries;
  }

  /** One notice to the webhook, with retries; how it went. */
  private Delivery send(Notice notice) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(settings.webhookUrl()))
            .timeout(settings.timeout())
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", notice.eventId())
            .header("User-Agent", "dsmigrate")
            .POST(HttpRequest.BodyPublishers.ofString(notice.body(), StandardCharsets.UTF_8))
            .build();
    Integer status = null;
    String error = null;
    long wait = settings.backoff().toMillis();
    int attempts = 0;
    while (attempts <= settings.retries()) {
      attempts++;
      try {
        HttpResponse<InputStream> response =
            client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        status = response.statusCode();
        String answer = firstBytes(response.body());
        if (status / 100 == 2) {
          LOG.info("{}: notice {} sent", notice.datasetId(), notice.key());
          return new Delivery(
              notice, new Timestamp(System.currentTimeMillis()), attempts, status, null);
        }
        error = "HTTP " + status + (answer.isBlank() ? "" : ": " + answer);
        if (!(status / 100 == 5 || status == 408 || status == 429)) {
          break; // the webhook refused the notice: the same again would be refused too
        }
      } catch (IOException e) {
        status = null;
        error = "no answer from " + settings.webhookUrl() + ": " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = "interrupted while sending";
        break;
      }
      if (attempts <= settings.retries()) {
        try {
          if (stopping.await(wait, TimeUnit.MILLISECONDS)) {
            error += "; the run ended before the next attempt";
            break;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        wait = Math.min(wait * 2, TimeUnit.MINUTES.toMillis(10));
      }
    }
    return new Delivery(notice, null, attempts, status, error);
  }

  private void record(List<Delivery> deliveries) {
    try {
      table().append(deliveries);
    } catch (RuntimeException e) { // the notices went (or not) all the same
      LOG.warn(
          "Cannot record {} notices in {}.notifications: {}",
          deliveries.size(),
          database,
          e.toString());
    }
  }

  private synchronized NotificationsTable table() {
    if (table == null) {
      table = NotificationsTable.in(spark, database);
    }
    return table;
  }

  /** The start of an answer's body, for the record: what a webhook says when it refuses. */
  private static String firstBytes(InputStream body) throws IOException {
    try (InputStream in = body) {
      byte[] start = in.readNBytes(300);
      return new String(start, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
