package io.dsmigrate.job.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupNameTest {
  @TempDir Path temp;

  private static final LocalDate DAY = LocalDate.of(2026, 11, 24);

  @Test
  void namesAreLowerCaseLettersDigitsAndUnderscoresWhateverTheTableAndRunAreCalled() {
    BackupName defaults = Settings.load(null, Map.of()).backupName();
    assertThat(defaults.pattern()).isEqualTo("{table}__bak_{date}");
    assertThat(defaults.of("orders", "nightly-1", DAY)).isEqualTo("orders__bak_20261124");
    assertThat(new BackupName("{table}_old_{run}").of("Orders", "run-20261124-0930-Ab12", DAY))
        .isEqualTo("orders_old_run_20261124_0930_ab12");
    assertThat(new BackupName("bak_{date}_{table}").of("t", "r", DAY)).isEqualTo("bak_20261124_t");
  }

  @Test
  void aPatternThatCannotGiveAValidNameIsRefused() {
    assertThatThrownBy(() -> new BackupName("{table}_BAK"))
        .hasMessage(
            "'{table}_BAK' has the upper-case 'B': the Hive metastore keeps table names in lower"
                + " case only. Write it in lower case");
    assertThatThrownBy(() -> new BackupName("{table}-bak"))
        .hasMessageContaining(
            "has '-': a table name may hold only lower-case letters, digits and _");
    assertThatThrownBy(() -> new BackupName("{table}_{day}"))
        .hasMessage("unknown placeholder {day} in '{table}_{day}'; use {table}, {run}, {date}");
    assertThatThrownBy(() -> new BackupName("backup_{date}"))
        .hasMessageContaining("has no {table}: the backups of every table of a database");
    assertThatThrownBy(() -> new BackupName("{table}"))
        .hasMessageContaining("names a backup like its table");
    assertThatThrownBy(() -> new BackupName("{table}_" + "x".repeat(130)))
        .hasMessageContaining("gives names longer than 128 characters");
    assertThatThrownBy(() -> new BackupName("{table}_{run}").of("t", "r".repeat(130), DAY))
        .hasMessageStartingWith("the backup name t_rrr")
        .hasMessageEndingWith(
            " is 132 characters long; metastores take 128 at most. Shorten"
                + " dsmigrate.cutover.backup-name ({table}_{run})");
  }

  @Test
  void aBadPatternInAConfigFileNamesTheFileAndLine() throws Exception {
    Path file = temp.resolve("cutover.conf");
    Files.writeString(file, "dsmigrate {\n  cutover.backup-name = \"{table}_Old\"\n}\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cutover.conf: 2")
        .hasMessageContaining("dsmigrate.cutover.backup-name")
        .hasMessageContaining("has the upper-case 'O'");
  }
}
