package io.dsmigrate.launcher;

import io.dsmigrate.job.fleet.PauseRequests;
import io.dsmigrate.job.ledger.RunId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Lifts the pause request of a run. Then run it again with the same --run-id: what it",
      "finished is skipped and the rest is migrated. Exit 2 when the run has no pause request."
    })
final class ResumeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      required = true,
      paramLabel = "ID",
      description = "The paused run.")
  String runId;

  @Override
  public Integer call() {
    PauseRequests pauses = common.pauseRequests();
    if (!pauses.lift(runId)) {
      throw new IllegalArgumentException(
          "Run "
              + runId
              + " has no pause request at "
              + pauses.location(runId)
              + "; check --run and --workdir (or dsmigrate.control.dir)");
    }
    System.out.printf(
        "Pause of run %s lifted. Run it again with --run-id %s to migrate the rest.%n",
        runId, runId);
    return Dsmigrate.OK;
  }
}
