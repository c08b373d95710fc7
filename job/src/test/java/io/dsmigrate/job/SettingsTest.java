package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.plan.AgentLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path temp;

  @Test
  void defaultsComeFromReferenceConf() {
    Settings settings = Settings.load(null, Map.of());
    assertThat(settings.concurrency()).isEqualTo(4);
    assertThat(settings.retries()).isEqualTo(2);
    assertThat(settings.datasetTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.resultsTable()).isEqualTo("dsmigrate.migration_results");
    assertThat(settings.snapshotsDir()).isEqualTo(settings.workdir() + "/snapshots");
    assertThat(settings.sparkConf()).containsEntry("spark.scheduler.mode", "FAIR");
  }

  @Test
  void theCommandLineWinsOverTheFileWhichWinsOverTheDefaults() throws Exception {
    Path file = temp.resolve("my.conf");
    Files.writeString(
        file,
        "dsmigrate.fleet { concurrency = 9, retries = 5 }\ndsmigrate.spark.conf { \"spark.sql.shuffle.partitions\" = \"3\" }\n");
    Settings settings = Settings.load(file.toFile(), Map.of("dsmigrate.fleet.concurrency", "7"));
    assertThat(settings.concurrency()).isEqualTo(7);
    assertThat(settings.retries()).isEqualTo(5);
    assertThat(settings.sparkConf()).containsEntry("spark.sql.shuffle.partitions", "3");
  }

  @Test
  void aBadValueNamesTheFileAndLineItCameFrom() throws Exception {
    Path file = temp.resolve("bad.conf");
    Files.writeString(file, "# settings\ndsmigrate {\n  fleet.concurrency = 0\n}\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad.conf: 3")
        .hasMessageContaining("dsmigrate.fleet.concurrency")
        .hasMessageContaining("must be 1 or more");
    Files.writeString(file, "dsmigrate.fleet.dataset-timeout = soon\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad.conf: 1");
    assertThatThrownBy(() -> Settings.load(temp.resolve("missing.conf").toFile(), Map.of()))
        .hasMessageContaining("does not exist; fix --conf");
  }

  @Test
  void theAgentPathIsOnWithLimitsOf256MibAnd200FilesAndCanBeTurnedOffOrTightened()
      throws Exception {
    assertThat(Settings.load(null, Map.of()).agent())
        .isEqualTo(new AgentLimits(true, 256L * 1024 * 1024, 200))
        .isEqualTo(AgentLimits.DEFAULTS);
    Path file = temp.resolve("agent.conf");
    Files.writeString(file, "dsmigrate.agent { max-bytes = 10MiB, max-files = 5 }\n");
    Settings tightened = Settings.load(file.toFile(), Map.of("dsmigrate.agent.enabled", "false"));
    assertThat(tightened.agent()).isEqualTo(new AgentLimits(false, 10L * 1024 * 1024, 5));
    assertThat(tightened.withConcurrency(2).agent()).isEqualTo(tightened.agent());
    assertThat(Settings.load(null, Map.of()).agentChunk()).isEqualTo(25);
    assertThat(Settings.load(null, Map.of("dsmigrate.agent.chunk", "4")).agentChunk()).isEqualTo(4);
    assertThatThrownBy(() -> Settings.load(null, Map.of("dsmigrate.agent.chunk", "0")))
        .hasMessageContaining("agent.chunk");

    Files.writeString(file, "dsmigrate.agent.max-files = -1\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("agent.conf: 1")
        .hasMessageContaining("dsmigrate.agent.max-files")
        .hasMessageContaining("must be 0 or more");
    Files.writeString(file, "dsmigrate.agent.max-bytes = lots\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("agent.conf: 1");
  }

  @Test
  void noticesAreOffUntilAWebhookIsSetAndABadWebhookNamesWhereItWasSet() throws Exception {
    Settings defaults = Settings.load(null, Map.of());
    assertThat(defaults.notifications().enabled()).isFalse();
    assertThat(defaults.notifications().reportLink("sales.orders")).isNull();
    Settings on =
        Settings.load(
            null,
            Map.of(
                "dsmigrate.notify.webhook.url", "https://hooks.example.com/dsmigrate",
                "dsmigrate.report.url", "https://reports.example.com/report.html"));
    assertThat(on.notifications().enabled()).isTrue();
    assertThat(on.notifications().retries()).isEqualTo(3);
    assertThat(on.withConcurrency(2).notifications()).isEqualTo(on.notifications());
    assertThat(on.notifications().reportLink("sales.orders"))
        .isEqualTo("https://reports.example.com/report.html#dataset-sales.orders");

    Path file = temp.resolve("notify.conf");
    Files.writeString(file, "dsmigrate.notify.webhook.url = \"hooks.example.com/x\"\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("notify.conf: 1")
        .hasMessageContaining("dsmigrate.notify.webhook.url")
        .hasMessageContaining("must be an http or https URL");
    Files.writeString(file, "dsmigrate.notify.webhook.timeout = 0s\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .hasMessageContaining("notify.conf: 1")
        .hasMessageContaining("dsmigrate.notify.webhook.timeout");
  }
}
