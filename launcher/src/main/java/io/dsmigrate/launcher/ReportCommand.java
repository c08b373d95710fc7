package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.ledger.RunId;
import io.dsmigrate.launcher.report.HtmlReport;
import io.dsmigrate.launcher.report.ReportData;
import io.dsmigrate.launcher.report.ReportSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Writes one self-contained HTML file about a run (default: the last one): summary, waves,"
          + " timeline, durations, failures by error class with their fix, validation mismatches"
          + " with diff samples, consumer queries, cut-overs and backups, one section per dataset"
          + " (#dataset-<id>), and the last assessment when there is one.",
      "It needs no network to open. With --assessment it shows only that assessment."
    })
final class ReportCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--run",
      converter = RunId.Converter.class,
      paramLabel = "ID",
      description = "The run (default: the last one).")
  String runId;

  @Option(
      names = "--assessment",
      paramLabel = "ID",
      description = "Report only this assessment (an assessment_id of the inventory table).")
  String assessmentId;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      defaultValue = "report.html",
      description = "Where to write the page (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (runId != null && assessmentId != null) {
      throw new IllegalArgumentException(
          "give --run or --assessment, not both (a run's report shows the last assessment)");
    }
    checkReplaceable(out);
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "report");
    ReportSources sources = ReportSources.of(spark, settings.resultsDatabase());
    ReportData data;
    if (assessmentId != null) {
      data = sources.assessment(assessmentId);
    } else {
      String run = runId != null ? runId : sources.lastRunId();
      if (run == null) {
        String assessment = sources.lastAssessmentId();
        if (assessment == null) {
          throw new IllegalArgumentException(
              "no runs recorded in "
                  + settings.resultsTable()
                  + " and no assessment in "
                  + sources.inventoryTable()
                  + " yet: nothing to report; run a plan (or dsmigrate assess) first");
        }
        data = sources.assessment(assessment);
      } else {
        data = sources.run(run);
      }
    }
    Path file = write(data, out);
    System.out.println(
        (data.runId() != null
                ? "Report of run " + data.runId() + " (" + data.datasets().size() + " datasets)"
                : "Report of assessment "
                    + data.assessmentId()
                    + " ("
                    + data.inventory().size()
                    + " tables)")
            + " written to "
            + file);
    return Dsmigrate.OK;
  }

  /**
   * Refuses {@code out} when a file there is not an earlier report (a page dsmigrate wrote): only
   * those are replaced.
   */
  static void checkReplaceable(Path out) {
    Path file = out.toAbsolutePath();
    if (!Files.exists(file)) {
      return;
    }
    boolean report;
    try {
      report = HtmlReport.isReport(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | java.io.UncheckedIOException notText) {
      report = false;
    }
    if (!report) {
      throw new IllegalArgumentException(
          file
              + " exists and is not a dsmigrate report, so it is not replaced; give another file"
              + " or move it away");
    }
  }

  /**
   * Writes the page of {@code data} to {@code out}, replacing only an earlier report ({@link
   * #checkReplaceable}); returns where, as an absolute path.
   */
  static Path write(ReportData data, Path out) throws IOException {
    checkReplaceable(out);
    // Charts are drawn with Java 2D into SVG: no display is needed, or wanted.
    System.setProperty("java.awt.headless", "true");
    Path file = out.toAbsolutePath();
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(
        file,
        HtmlReport.render(data, ZoneId.systemDefault(), Instant.now()),
        StandardCharsets.UTF_8);
    return file;
  }
}
