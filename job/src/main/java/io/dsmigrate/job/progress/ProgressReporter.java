package io.dsmigrate.job.progress;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's progress while it runs, every progress interval: on a terminal, one block redrawn under
 * the lines the run prints; otherwise one line on the logger {@code io.dsmigrate.progress} (INFO),
 * never the block. It also publishes the run's {@link RunRecord}, so that {@code dsmigrate status
 * --watch} elsewhere shows the same ({@link RunWatch} reads both).
 *
 * <pre>{@code
 * try (ProgressReporter progress =
 *     ProgressReporter.start(watch, true, runId, "all", datasets, System.out, terminal)) {
 *   ... progress.finished(result); progress.println("  [1/10] SUCCEEDED orders");
 * }
 * }</pre>
 */
public final class ProgressReporter implements AutoCloseable {
  /** The logger of the progress lines; the shipped log configuration shows it at INFO. */
  public static final String LOGGER = "io.dsmigrate.progress";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final RunWatch watch;
  private final boolean publish;
  private final RunRecord first;
  private final Map<String, RunRecord.Dataset> datasets = new LinkedHashMap<>();
  private final PrintStream out;
  private final ConsoleBlock block;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "dsmigrate-progress");
            thread.setDaemon(true);
            return thread;
          });
  private boolean warned;

  private ProgressReporter(
      RunWatch watch, boolean publish, RunRecord first, PrintStream out, boolean terminal) {
    this.watch = requireNonNull(watch, "watch is null");
    this.publish = publish;
    this.first = requireNonNull(first, "first is null");
    first.datasets().forEach(d -> datasets.put(d.id(), d));
    this.out = requireNonNull(out, "out is null");
    this.block = terminal ? new ConsoleBlock(out) : null;
  }

  /**
   * Starts showing the progress of {@code part} ({@code all}, or {@code partition-<n>}) of run
   * {@code runId}, which runs {@code planned}; {@code publish} false (a dry run) writes nothing.
   * {@code terminal}: {@code out} is a terminal, where a block is redrawn in place.
   */
  public static ProgressReporter start(
      RunWatch watch,
      boolean publish,
      String runId,
      String part,
      List<PlannedDataset> planned,
      PrintStream out,
      boolean terminal) {
    ProgressReporter reporter =
        new ProgressReporter(
            watch, publish, RunRecord.starting(runId, part, planned), out, terminal);
    if (publish) {
      reporter.publish(reporter.first);
    }
    long every = watch.every().toMillis();
    reporter.timer.scheduleWithFixedDelay(reporter::tick, every, every, TimeUnit.MILLISECONDS);
    return reporter;
  }

  /** Records how a dataset ended. */
  public synchronized void finished(DatasetResult result) {
    long at =
        result.finishedAt() != null ? result.finishedAt().getTime() : System.currentTimeMillis();
    RunRecord.Dataset planned = datasets.get(result.datasetId());
    datasets.put(
        result.datasetId(),
        new RunRecord.Dataset(
            result.datasetId(), planned == null ? 0 : planned.sizeBytes(), result.status(), at));
  }

  /** Prints a line of the run's output (above the block, on a terminal). */
  public void println(String line) {
    if (block != null) {
      block.print(line);
    } else {
      out.println(line);
    }
  }

  /** Stops showing the progress, and publishes that this process is done with the run. */
  @Override
  public void close() {
    // Not interrupted: a tick reading the ledger would take the interrupt for a failure.
    timer.shutdown();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (block != null) {
      block.clear();
    }
    if (publish) {
      publish(record(System.currentTimeMillis(), true));
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    RunRecord record = record(now, false);
    if (publish) {
      publish(record);
    }
    RunProgress progress;
    try {
      progress = watch.read(first.runId(), List.of(record), now);
    } catch (RuntimeException e) {
      warnOnce(e);
      return;
    }
    if (block != null) {
      block.show(ProgressText.block(progress));
    } else {
      LOG.info(ProgressText.line(progress));
    }
  }

  private synchronized RunRecord record(long now, boolean ended) {
    return new RunRecord(
        first.runId(),
        first.part(),
        first.owner(),
        first.startedAt(),
        now,
        ended,
        List.copyOf(datasets.values()));
  }

  private void publish(RunRecord record) {
    try {
      watch.records().write(record);
    } catch (RuntimeException e) {
      warnOnce(e);
    }
  }

  private synchronized void warnOnce(RuntimeException e) {
    if (!warned) {
      warned = true;
      LOG.warn(
          "Cannot follow the progress of run {} (the run goes on; 'status --watch' may not see"
              + " it): {}",
          first.runId(),
          e.getMessage());
    }
  }
}
