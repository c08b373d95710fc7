package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code notify} refuses what it cannot do before it starts anything (its sending is a job test).
 */
class NotifyCommandTest {
  @TempDir Path temp;

  @Test
  void withoutAWebhookOrWithABadLeadTimeItIsAUsageErrorAndStartsNothing() {
    String plan = temp.resolve("plan.json").toString();
    String workdir = temp.resolve("work").toString();
    Outcome noWebhook = Cli.dsmigrate("notify", "--workdir", workdir, "--plan", plan);
    assertThat(noWebhook.code()).isEqualTo(2);
    assertThat(noWebhook.err()).contains("No webhook to notify: set dsmigrate.notify.webhook.url");

    Outcome badLeadTime =
        Cli.dsmigrate(
            "notify",
            "--workdir",
            workdir,
            "--plan",
            plan,
            "--lead-time",
            "soon",
            "-Ddsmigrate.notify.webhook.url=https://hooks.example.com/x");
    assertThat(badLeadTime.code()).isEqualTo(2);
    assertThat(badLeadTime.err()).contains("not a duration: soon (e.g. 2d, 36h, 90m)");
    assertThat(temp.resolve("work")).doesNotExist();
  }
}
