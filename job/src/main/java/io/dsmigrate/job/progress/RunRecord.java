package io.dsmigrate.job.progress;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.LeaseOwner;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.Status;
import java.util.List;

/**
 * What a process running (part of) a run publishes next to the ledger for people watching it from
 * elsewhere ({@code dsmigrate status --watch}): the datasets it runs with their sizes, how each
 * ended so far (those it did not migrate too: skipped, paused, held back, which the ledger does not
 * record), and whether it is still at work. The process rewrites it every progress interval, so a
 * record that stops changing belongs to a process that stopped.
 *
 * @param runId the run
 * @param part which part of the run's plan the process runs: {@code all}, or {@code partition-<n>}
 * @param owner the process
 * @param startedAt when the process started the run (epoch millis)
 * @param updatedAt when the process last wrote this record (epoch millis)
 * @param ended whether the process is done with the run
 * @param datasets the datasets it runs
 */
public record RunRecord(
    String runId,
    String part,
    LeaseOwner owner,
    long startedAt,
    long updatedAt,
    boolean ended,
    List<Dataset> datasets) {

  public RunRecord {
    requireNonNull(runId, "runId is null");
    requireNonNull(part, "part is null");
    requireNonNull(owner, "owner is null");
    datasets = List.copyOf(datasets);
  }

  /** The record of a process that starts running {@code planned} as {@code part} of a run. */
  public static RunRecord starting(String runId, String part, List<PlannedDataset> planned) {
    long now = System.currentTimeMillis();
    return new RunRecord(
        runId,
        part,
        LeaseOwner.current(runId),
        now,
        now,
        false,
        planned.stream().map(d -> new Dataset(d.spec().id(), d.sizeBytes(), null, 0)).toList());
  }

  /**
   * A dataset of the run: its size as planned, and how it ended (null while it has not).
   *
   * @param finishedAt when it ended (epoch millis), 0 while it has not
   */
  public record Dataset(String id, long sizeBytes, Status status, long finishedAt) {
    public Dataset {
      requireNonNull(id, "id is null");
    }
  }
}
