package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.cutover.DropBackups;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.notify.Notifier;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "drop-backups",
    mixinStandardHelpOptions = true,
    description = {
      "Drops the backups that cut-overs kept of their source tables, unless something still reads",
      "their files (a Delta table made from them, a table located inside them, a view that names them).",
      "A dataset whose backup is dropped can no longer be rolled back.",
      "Exit 0 when every backup asked for was dropped (or could be, with --dry-run), 1 when some were kept."
    })
final class DropBackupsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      paramLabel = "ID",
      description = "The backups of this run's cut-overs.")
  String runId;

  @Option(
      names = "--dataset",
      paramLabel = "ID",
      description = "Only the backup of this dataset (of the run, or of its latest cut-over).")
  String datasetId;

  @Option(
      names = {"--dry-run", "--print"},
      description = "Only list the backups and what reads them; drop nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    if (runId == null && datasetId == null) {
      throw new IllegalArgumentException(DropBackups.NOTHING_ASKED);
    }
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "drop-backups");
    List<DropBackups.Outcome> outcomes;
    try (Notifier notifier = settings.notifier(spark)) {
      outcomes =
          DropBackups.of(spark, settings.resultsDatabase(), settings.ledger())
              .run(runId)
              .dataset(datasetId)
              .dryRun(dryRun)
              .notifier(notifier)
              .execute();
    }
    if (outcomes.isEmpty()) {
      System.out.printf("No backups to drop for run %s.%n", runId);
      return Dsmigrate.OK;
    }
    for (DropBackups.Outcome outcome : outcomes) {
      System.out.printf(
          "  %-30s %-9s %s (was %s): %s%n",
          outcome.datasetId(),
          outcome.action(),
          outcome.backupTable(),
          outcome.table(),
          outcome.message());
    }
    long refused = outcomes.stream().filter(o -> o.action() == DropBackups.Action.REFUSED).count();
    System.out.printf(
        "%s %d of %d backups%s%n",
        dryRun ? "Could drop" : "Dropped",
        outcomes.size() - refused,
        outcomes.size(),
        refused > 0 ? "; " + refused + " kept (see above)" : "");
    return refused > 0 ? Dsmigrate.SOME_FAILED : Dsmigrate.OK;
  }
}
