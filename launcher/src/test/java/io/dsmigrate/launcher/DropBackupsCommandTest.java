package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code dsmigrate drop-backups} as people and scripts use it: output and exit codes. */
class DropBackupsCommandTest extends SparkTestBase {
  private static final String RESULTS = "-Ddsmigrate.results.database=cli_drop_results";

  private Outcome dsmigrate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--workdir");
    all.add(2, temp.resolve("work").toString());
    all.add(RESULTS);
    all.add("-Ddsmigrate.cutover.backup-name={table}__bak_{run}");
    return Cli.dsmigrate(all.toArray(String[]::new));
  }

  @Test
  void dropsABackupOnceNothingReadsItAndRollbackThenSaysWhyItCannot() throws Exception {
    assertThat(dsmigrate("drop-backups").code()).isEqualTo(2);
    assertThat(dsmigrate("drop-backups").err())
        .contains("give --run ID and/or --dataset ID: the backups of which cut-overs to drop");

    spark().sql("CREATE DATABASE IF NOT EXISTS cli_drop");
    spark()
        .range(4)
        .selectExpr("id", "id * 2 AS v")
        .write()
        .format("delta")
        .saveAsTable("cli_drop.t");
    Path specs = temp.resolve("specs");
    Files.createDirectories(specs);
    Files.writeString(
        specs.resolve("t.yaml"),
        "id: t\nsource: { table: cli_drop.t }\ntarget: { table: cli_drop_new.t }\ncutover: true\n");
    Outcome run = dsmigrate("run", "--specs", specs.toString(), "--run-id", "cli-cut");
    assertThat(run.code()).as(run.out() + run.err()).isZero();

    assertThat(dsmigrate("drop-backups", "--run", "no-such-run").code()).isEqualTo(2);
    spark().sql("CREATE DATABASE IF NOT EXISTS cli_drop_users");
    spark().sql("CREATE TABLE cli_drop_users.copy SHALLOW CLONE cli_drop.t__bak_cli_cut");
    Outcome dry = dsmigrate("drop-backups", "--run", "cli-cut", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isEqualTo(1);
    assertThat(dry.out())
        .contains(
            "t                              REFUSED   cli_drop.t__bak_cli_cut (was cli_drop.t)")
        .contains("Delta table cli_drop_users.copy reads its files")
        .contains("Could drop 0 of 1 backups; 1 kept (see above)");

    spark().sql("DROP TABLE cli_drop_users.copy");
    Outcome print = dsmigrate("drop-backups", "--run", "cli-cut", "--print");
    assertThat(print.code()).as(print.err()).isZero();
    assertThat(print.out()).contains("DROPPABLE").contains("Could drop 1 of 1 backups");
    assertThat(spark().catalog().tableExists("cli_drop.t__bak_cli_cut")).isTrue();

    Outcome drop = dsmigrate("drop-backups", "--run", "cli-cut", "--dataset", "t");
    assertThat(drop.code()).as(drop.err()).isZero();
    assertThat(drop.out()).contains("DROPPED").contains("Dropped 1 of 1 backups");
    assertThat(spark().catalog().tableExists("cli_drop.t__bak_cli_cut")).isFalse();

    Outcome again = dsmigrate("drop-backups", "--dataset", "t");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err())
        .contains(
            "Dataset t has no backup to drop: its backup cli_drop.t__bak_cli_cut was dropped on ");

    Outcome rollback = dsmigrate("rollback", "--run", "cli-cut");
    assertThat(rollback.code()).isEqualTo(1);
    assertThat(rollback.out())
        .contains("was dropped on ")
        .contains("so it cannot be rolled back: the old data is gone");
    assertThat(spark().newSession().table("cli_drop.t").count()).isEqualTo(4);
  }
}
