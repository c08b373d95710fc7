package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.Lease;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases a fleet holds, every heartbeat, from the moment a dataset is taken until its
 * outcome is recorded. A lease that turns out lost stops its dataset ({@code onLost}).
 */
final class Heartbeats {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

  private final ScheduledExecutorService scheduler;
  private final long everyMillis;
  private final Map<Lease, ScheduledFuture<?>> running = new ConcurrentHashMap<>();

  Heartbeats(ScheduledExecutorService scheduler, Duration every) {
    this.scheduler = requireNonNull(scheduler, "scheduler is null");
    this.everyMillis = every.toMillis();
  }

  void start(Lease lease, Runnable onLost) {
    running.put(
        lease,
        scheduler.scheduleWithFixedDelay(
            () -> {
              if (!lease.renew()) {
                LOG.warn(
                    "{}: lost its lease to {}; stopping it", lease.datasetId(), lease.lostTo());
                stop(lease);
                onLost.run();
              }
            },
            everyMillis,
            everyMillis,
            TimeUnit.MILLISECONDS));
  }

  void stop(Lease lease) {
    ScheduledFuture<?> heartbeat = running.remove(lease);
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
  }
}
