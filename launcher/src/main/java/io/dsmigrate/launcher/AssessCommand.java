package io.dsmigrate.launcher;

import io.dsmigrate.job.Settings;
import io.dsmigrate.job.assess.Assessment;
import io.dsmigrate.job.assess.InventoryRow;
import io.dsmigrate.launcher.report.ReportSources;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "assess",
    mixinStandardHelpOptions = true,
    description = {
      "Crawls the metastore's databases (tables, views, formats, sizes, partitions and where they lie,",
      "owners, comments, properties, the views that read each table), flags what cannot be migrated",
      "faithfully and why, drafts one spec per table for the team to edit and appends one row per table",
      "or view to the inventory table (<results database>.inventory). Drafts that plan takes as they are",
      "go to --out; the others to --out/needs-review, with their issues. Edited drafts are kept.",
      "It also writes the assessment as a self-contained HTML page (--report)."
    })
final class AssessCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--databases",
      required = true,
      split = ",",
      paramLabel = "DB",
      description = "The databases to assess, separated by commas.")
  List<String> databases;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where the drafted specs go (default: <workdir>/assessed-specs).")
  Path out;

  @Option(
      names = "--target-database",
      paramLabel = "NAME",
      description =
          "Draft each table's migration to a new table of the same name in NAME (default: to"
              + " Delta in place, under its own name).")
  String targetDatabase;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      defaultValue = "assessment.html",
      description =
          "Where to write the assessment as an HTML page (default: ${DEFAULT-VALUE}); the same"
              + " section as 'dsmigrate report --assessment ID' writes.")
  Path report;

  @Override
  public Integer call() throws java.io.IOException {
    ReportCommand.checkReplaceable(report);
    Settings settings = common.settings();
    Path directory =
        out != null
            ? out.toAbsolutePath()
            : settings
                .locations()
                .local(settings.workdir(), "the workdir, where --out defaults to")
                .resolve("assessed-specs");
    SparkSession spark = Sessions.start(settings, "assess");
    Assessment.Result result =
        Assessment.of(spark)
            .databases(databases)
            .targetDatabase(targetDatabase)
            .specs(directory)
            .resultsDatabase(settings.resultsDatabase())
            .checks(settings.security(), settings.reservedLocations())
            .execute();
    List<InventoryRow> rows = result.rows();
    long views = rows.stream().filter(r -> "VIEW".equals(r.kind())).count();
    List<InventoryRow> flagged = rows.stream().filter(r -> !r.migratable()).toList();
    long drafted = rows.stream().filter(r -> r.migratable() && r.specFile() != null).count();
    System.out.printf(
        "Assessment %s: %d tables and %d views in %s%n",
        result.assessmentId(), rows.size() - views, views, String.join(", ", databases));
    System.out.printf("  %d migratable as drafted, specs in %s%n", drafted, directory);
    if (!flagged.isEmpty()) {
      System.out.printf("  %d not migratable as drafted:%n", flagged.size());
      for (InventoryRow row : flagged) {
        System.out.printf("    %s: %s%n", row.name(), String.join(" | ", row.issues()));
      }
    }
    result.kept().forEach(message -> System.out.println("  " + message));
    System.out.printf(
        "Inventory: %s (assessment_id = '%s')%n", result.inventory(), result.assessmentId());
    Path page =
        ReportCommand.write(
            ReportSources.of(spark, settings.resultsDatabase()).assessment(result.assessmentId()),
            report);
    System.out.printf("Report: %s%n", page);
    if (drafted > 0) {
      System.out.printf("Next: edit the drafts, then dsmigrate plan --specs %s%n", directory);
    }
    return Dsmigrate.OK;
  }
}
