package io.dsmigrate.launcher;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.notify.Delivery;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.notify.PlanNotices;
import io.dsmigrate.job.plan.Plan;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "notify",
    mixinStandardHelpOptions = true,
    description = {
      "Tells the owners and consumers of a plan's datasets that they are going to be migrated: one",
      "SCHEDULED notice per dataset to dsmigrate.notify.webhook.url, sent once per plan and dataset",
      "however often this runs (recorded in <results database>.notifications).",
      "Exit 0 when every notice was sent (now or before), 1 when the webhook did not take some."
    })
final class NotifyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--plan",
      required = true,
      paramLabel = "FILE",
      description = "A plan written by 'dsmigrate plan' (a path or a URI).")
  String plan;

  @Option(
      names = "--lead-time",
      paramLabel = "DURATION",
      converter = LeadTime.class,
      description =
          "How long from now the migration starts, e.g. 2d or 36h; the notices say when."
              + " Default: not said.")
  Duration leadTime;

  @Override
  public Integer call() {
    Settings settings = common.settings();
    if (!settings.notifications().enabled()) {
      throw new IllegalArgumentException(
          "No webhook to notify: set dsmigrate.notify.webhook.url (in --conf or with"
              + " -Ddsmigrate.notify.webhook.url=https://...)");
    }
    Plan loaded = Plan.read(plan, settings.hadoopConfiguration());
    SparkSession spark = Sessions.start(settings, "notify " + loaded.planId());
    PlanNotices.Sent sent;
    try (Notifier notifier = settings.notifier(spark)) {
      sent = PlanNotices.send(notifier, loaded, leadTime);
    }
    for (Delivery failed : sent.failed()) {
      System.out.printf("  NOT SENT %-30s %s%n", failed.notice().datasetId(), failed.error());
    }
    System.out.printf(
        "Plan %s: %d datasets; %d notices sent now, %d sent before, %d not sent%n",
        loaded.planId(), sent.due(), sent.sentNow(), sent.sentBefore(), sent.failed().size());
    return sent.failed().isEmpty() ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  /** A duration as dsmigrate's settings write them: 2d, 36h, 90m. */
  static final class LeadTime implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration duration = ConfigFactory.parseMap(Map.of("t", value)).getDuration("t");
        if (duration.isNegative()) {
          throw new CommandLine.TypeConversionException("must not be negative: " + value);
        }
        return duration;
      } catch (ConfigException e) {
        throw new CommandLine.TypeConversionException(
            "not a duration: " + value + " (e.g. 2d, 36h, 90m)");
      }
    }
  }
}
