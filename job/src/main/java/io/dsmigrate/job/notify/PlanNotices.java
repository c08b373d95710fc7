package io.dsmigrate.job.notify;

import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.PlannedDataset;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells the owners and consumers of a plan's datasets that they are going to be migrated ({@code
 * dsmigrate notify --plan}): one SCHEDULED notice per dataset and plan, sent once however often
 * this runs.
 */
public final class PlanNotices {
  private PlanNotices() {}

  /**
   * What became of the plan's notices.
   *
   * @param due the plan's datasets
   * @param deliveries how each notice not sent before went (the rest were sent before)
   */
  public record Sent(int due, List<Delivery> deliveries) {
    public Sent {
      deliveries = List.copyOf(deliveries);
    }

    /** Notices the webhook took now. */
    public long sentNow() {
      return deliveries.stream().filter(Delivery::sent).count();
    }

    /** Notices the webhook took on an earlier call. */
    public long sentBefore() {
      return due - deliveries.size();
    }

    /** Notices the webhook did not take. */
    public List<Delivery> failed() {
      return deliveries.stream().filter(d -> !d.sent()).toList();
    }
  }

  /**
   * Sends a SCHEDULED notice for each dataset of {@code plan} not told before, saying it is to be
   * migrated {@code leadTime} from now (null: not said), and records them.
   */
  public static Sent send(Notifier notifier, Plan plan, Duration leadTime) {
    Instant at = leadTime == null ? null : Instant.now().plus(leadTime);
    List<Notice> notices = new ArrayList<>();
    for (PlannedDataset dataset : plan.datasets()) {
      notices.add(
          Notice.scheduled(
              plan.planId(), dataset.spec(), at, notifier.reportLink(dataset.spec().id())));
    }
    return new Sent(notices.size(), notifier.deliverNow(notices));
  }
}
