package io.dsmigrate.job.progress;

import io.dsmigrate.job.results.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@link RunProgress} as text: a block of lines for a terminal (redrawn in place), or one line for
 * a log or a pipe.
 */
public final class ProgressText {
  /** The datasets in flight a block lists by name; the rest are counted. */
  static final int BLOCK_IN_FLIGHT = 10;

  /** The datasets in flight a line lists by name. */
  static final int LINE_IN_FLIGHT = 5;

  private ProgressText() {}

  /** The progress as a block of lines. */
  public static List<String> block(RunProgress progress) {
    List<String> lines = new ArrayList<>();
    lines.add(headline(progress));
    if (progress.liveness() == RunProgress.Liveness.RUNNING) {
      int shown = Math.min(BLOCK_IN_FLIGHT, progress.inFlight().size());
      int width =
          progress.inFlight().stream()
              .limit(shown)
              .mapToInt(d -> d.datasetId().length())
              .max()
              .orElse(0);
      for (RunProgress.InFlight dataset : progress.inFlight().subList(0, shown)) {
        lines.add(
            String.format(
                "  %-" + width + "s  %-12s %8s  (step %s)",
                dataset.datasetId(),
                dataset.step(),
                duration(progress.at() - dataset.since()),
                duration(progress.at() - dataset.stepSince())));
      }
      if (progress.inFlight().size() > shown) {
        lines.add("  ... and " + (progress.inFlight().size() - shown) + " more in flight");
      }
      lines.add("  " + pace(progress));
    }
    return lines;
  }

  /** The progress as one line. */
  public static String line(RunProgress progress) {
    StringBuilder line = new StringBuilder(headline(progress));
    if (progress.liveness() == RunProgress.Liveness.RUNNING) {
      if (!progress.inFlight().isEmpty()) {
        StringJoiner names = new StringJoiner(", ", "; in flight: ", "");
        progress.inFlight().stream()
            .limit(LINE_IN_FLIGHT)
            .forEach(
                d ->
                    names.add(
                        d.datasetId()
                            + " "
                            + d.step()
                            + " "
                            + duration(progress.at() - d.since())));
        if (progress.inFlight().size() > LINE_IN_FLIGHT) {
          names.add("+" + (progress.inFlight().size() - LINE_IN_FLIGHT) + " more");
        }
        line.append(names);
      }
      line.append("; ").append(pace(progress));
    }
    return line.toString();
  }

  private static String headline(RunProgress progress) {
    String run = "Run " + progress.runId();
    return switch (progress.liveness()) {
      case NOT_FOUND -> run + ": nothing in the ledger yet";
      case ENDED ->
          run
              + " ended: "
              + counts(progress.done())
              + " ("
              + progress.doneCount()
              + " datasets"
              + (progress.elapsed() == null ? "" : " in " + duration(progress.elapsed()))
              + ")";
      case STOPPED ->
          run
              + " looks stopped: "
              + progress.why()
              + ". Done: "
              + counts(progress.done())
              + ", "
              + progress.remaining()
              + " not done. Run it again with --run-id "
              + progress.runId()
              + " to finish it";
      case RUNNING ->
          run
              + ": "
              + progress.doneCount()
              + "/"
              + progress.total()
              + " done"
              + (progress.done().isEmpty() ? "" : " (" + counts(progress.done()) + ")")
              + ", "
              + progress.inFlight().size()
              + " in flight, "
              + (progress.remaining() - progress.inFlight().size())
              + " to go"
              + (progress.elapsed() == null
                  ? ""
                  : ", " + duration(progress.elapsed()) + " elapsed");
    };
  }

  private static String pace(RunProgress progress) {
    RunProgress.Eta eta = progress.eta();
    String rate =
        progress.bytesPerSecond() < 0
            ? ""
            : " at "
                + bytes((long) progress.bytesPerSecond())
                + "/s, "
                + String.format(Locale.ROOT, "%.1f", progress.datasetsPerMinute())
                + " datasets/min";
    return bytes(progress.migratedBytes())
        + " of "
        + bytes(progress.totalBytes())
        + " migrated"
        + rate
        + "; ETA "
        + (eta.left() == null ? "unknown (" + eta.basis() + ")" : eta(eta));
  }

  private static String eta(RunProgress.Eta eta) {
    return duration(eta.left().toMillis()) + " (" + eta.basis() + ")";
  }

  private static String counts(Map<Status, Integer> done) {
    if (done.isEmpty()) {
      return "none";
    }
    StringJoiner text = new StringJoiner(" ");
    done.forEach((status, count) -> text.add(status + "=" + count));
    return text.toString();
  }

  /** "2h05m", "3m07s", "12s". */
  static String duration(Duration duration) {
    return duration(duration.toMillis());
  }

  static String duration(long millis) {
    long seconds = Math.max(0, millis) / 1000;
    if (seconds >= 3600) {
      return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
    if (seconds >= 60) {
      return String.format("%dm%02ds", seconds / 60, seconds % 60);
    }
    return seconds + "s";
  }

  /** "512 B", "1.5 KiB", "3.2 GiB". */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** A moment for people, e.g. in why a run looks stopped. */
  static String instant(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }
}
