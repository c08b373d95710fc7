package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.rollback.Rollback;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Undoes what a run did: sources restored from their snapshots, metastore entries as they were,",
      "targets created by the run removed. Each dataset undone is recorded ROLLED_BACK. Exit 1 if any could not be undone."
    })
final class RollbackCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      required = true,
      paramLabel = "ID",
      description = "The run to undo.")
  String runId;

  @Option(names = "--dataset", paramLabel = "ID", description = "Only this dataset of the run.")
  String datasetId;

  @Option(
      names = "--force",
      description = {
        "Undo even a dataset whose target received commits that the run did not make, or that a",
        "newer run migrated again: those writes are discarded. Without it such a dataset is refused",
        "and nothing of it changes."
      })
  boolean force;

  @Override
  public Integer call() {
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "rollback");
    List<Rollback.Outcome> outcomes;
    // Owners and consumers hear that their table reads the old data again; the end of the command
    // waits a bounded time for those notices.
    try (Notifier notifier = settings.notifier(spark)) {
      outcomes =
          Rollback.of(spark, settings.resultsDatabase(), settings.ledger())
              .run(runId)
              .dataset(datasetId)
              .force(force)
              .notifier(notifier)
              .execute();
    }
    boolean allUndone = true;
    for (Rollback.Outcome outcome : outcomes) {
      System.out.printf("  %-30s %s%n", outcome.datasetId(), outcome.message());
      allUndone &= outcome.rolledBack() || outcome.message().startsWith("nothing to undo");
    }
    long rolledBack = outcomes.stream().filter(Rollback.Outcome::rolledBack).count();
    System.out.printf(
        "Rolled back %d of %d datasets of run %s%n", rolledBack, outcomes.size(), runId);
    return allUndone ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }
}
