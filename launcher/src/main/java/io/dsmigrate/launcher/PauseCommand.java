package io.dsmigrate.launcher;

import io.dsmigrate.job.fleet.PauseRequests;
import io.dsmigrate.job.ledger.RunId;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "pause",
    mixinStandardHelpOptions = true,
    description = {
      "Asks a run to pause: it finishes the datasets in flight, records the rest PAUSED and exits 4.",
      "The request stands (a retried job stays paused) until 'dsmigrate resume --run ID'; then run",
      "it again with the same --run-id to migrate the rest. Starts no Spark: it writes a file in",
      "dsmigrate.control.dir (on a cluster, give the same --conf as the job)."
    })
final class PauseCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      required = true,
      paramLabel = "ID",
      description = "The run to pause.")
  String runId;

  @Override
  public Integer call() {
    PauseRequests pauses = common.pauseRequests();
    pauses.request(
        runId, "requested by " + System.getProperty("user.name") + " at " + Instant.now());
    System.out.printf(
        "Pause requested for run %s (%s). It finishes the datasets in flight, records the rest"
            + " PAUSED and exits 4. Lift it with 'dsmigrate resume --run %s'.%n",
        runId, pauses.location(runId), runId);
    return Dsmigrate.OK;
  }
}
