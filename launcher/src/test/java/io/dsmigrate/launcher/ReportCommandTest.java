package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import io.dsmigrate.testing.SparkTestBase;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code dsmigrate report} as people open it: the page is rendered by a real headless browser
 * (Chromium), and the figures its DOM shows are the ones SQL over the results table gives.
 */
class ReportCommandTest extends SparkTestBase {
  /**
   * The shared session starts before any command: a command would otherwise start it with its
   * metastore in the test's workdir, which is deleted after the test.
   */
  @BeforeAll
  static void session() {
    spark();
  }

  private Outcome dsmigrate(String... args) {
    return Cli.dsmigrateIn(temp.resolve("work"), args);
  }

  @Test
  void aFileThatIsNotAReportIsNeverReplaced() throws Exception {
    Path page = temp.resolve("index.html");
    String theirs = "<html><body>the team's page</body></html>";
    Files.writeString(page, theirs);
    Outcome report = dsmigrate("report", "--out", page.toString());
    assertThat(report.code()).isEqualTo(2);
    assertThat(report.err()).contains(page + " exists and is not a dsmigrate report");
    assertThat(Files.readString(page)).isEqualTo(theirs);
    Outcome assess = dsmigrate("assess", "--databases", "default", "--report", page.toString());
    assertThat(assess.code()).isEqualTo(2);
    assertThat(Files.readString(page)).isEqualTo(theirs);
  }

  @Test
  void theDemoRunsReportRendersInABrowserWithTheResultsTablesFigures() throws Exception {
    String results = "-Ddsmigrate.results.database=report_demo";
    DemoDatabases.dropAll(spark());
    Outcome demo = dsmigrate("demo", "--datasets", "5", results);
    assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
    String runId =
        spark().sql("SELECT max(run_id) FROM report_demo.migration_results").first().getString(0);
    inventory("report_demo");

    Path html = temp.resolve("out/report.html");
    Outcome report = dsmigrate("report", "--out", html.toString(), results);
    assertThat(report.code()).as(report.out() + report.err()).isZero();
    assertThat(report.out())
        .isEqualTo("Report of run " + runId + " (5 datasets) written to " + html + "\n");
    String text = Files.readString(html);
    assertSelfContained(text);

    Path png = temp.resolve("report.png");
    chromium("--screenshot=" + png, "--window-size=1280,2400", html.toUri().toString());
    BufferedImage screenshot = ImageIO.read(png.toFile());
    assertThat(screenshot.getWidth()).isEqualTo(1280);
    // A blank or unstyled page has a handful of colours; the badges and charts bring many.
    assertThat(colours(screenshot)).isGreaterThan(50);

    Document dom = Jsoup.parse(chromium("--dump-dom", html.toUri().toString()));
    String where = " FROM report_demo.migration_results WHERE run_id = '" + runId + "'";
    assertThat(shown(dom, "#statuses tr[data-status]", "data-status", "td.count"))
        .isEqualTo(counts("SELECT status, count(*)" + where + " GROUP BY status"))
        .containsEntry("SUCCEEDED", 5L);
    assertThat(shown(dom, "#wave-table tr[data-wave]", "data-wave", "td.datasets"))
        .isEqualTo(counts("SELECT CAST(wave AS STRING), count(*)" + where + " GROUP BY wave"));
    assertThat(dom.getElementById("rows-migrated").text().replace(",", ""))
        .isEqualTo(
            String.valueOf(spark().sql("SELECT sum(target_rows)" + where).first().<Long>getAs(0)));
    for (Row row : spark().sql("SELECT dataset_id, status" + where).collectAsList()) {
      Element section = dom.getElementById("dataset-" + row.getString(0));
      assertThat(section).as(row.getString(0)).isNotNull();
      assertThat(section.attr("data-status")).isEqualTo(row.getString(1));
    }
    // Charts are drawn: waves, timeline, durations by transform and by size, the formats.
    assertThat(dom.select("div.chart > svg")).hasSize(5);
    assertThat(dom.select(".chart-missing")).isEmpty();
    assertThat(dom.select("#chart-timeline text").eachText()).contains("sales.orders_0");
    assertThat(dom.getElementById("no-failures")).isNotNull();
    // The in-place dataset (legacy.inventory_4) keeps a snapshot of its source for rollback.
    assertThat(dom.select("#snapshots tr td:eq(0)").eachText())
        .isEqualTo(
            spark()
                .sql("SELECT dataset_id" + where + " AND snapshot IS NOT NULL ORDER BY wave")
                .collectAsList()
                .stream()
                .map(row -> row.getString(0))
                .toList())
        .contains("legacy.inventory_4");

    assertThat(dom.getElementById("assessed-tables").text()).isEqualTo("3");
    assertThat(dom.getElementById("assessed-migratable").text()).isEqualTo("2");
    assertThat(dom.select("#inventory tr.entry[data-migratable=false]").text())
        .contains("legacy.bucketed")
        .contains("bucketed: 4 buckets by id are not kept by Delta; <drop them>");

    // Only the assessment: no run sections.
    // Written over the run's page: an earlier report is dsmigrate's to replace.
    Path assessed = html;
    Outcome only =
        dsmigrate("report", "--assessment", "assess-2", "--out", assessed.toString(), results);
    assertThat(only.code()).as(only.out() + only.err()).isZero();
    Document assessment = Jsoup.parse(assessed.toFile(), "UTF-8");
    assertThat(assessment.getElementById("summary")).isNull();
    assertThat(assessment.getElementById("assessed-tables").text()).isEqualTo("3");
  }

  @Test
  void aRunsFailuresAreGroupedWithTheirFixAndItsDiffSamplesMarkTheDifferingCells()
      throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS report_legacy");
    spark()
        .range(12)
        .selectExpr("id", "concat('k', id % 3) AS kind", "CAST(id AS DOUBLE) / 3 AS amount")
        .write()
        .format("parquet")
        .saveAsTable("report_legacy.sales");
    spark().range(3).write().format("parquet").saveAsTable("report_legacy.swapped");
    Path specs = temp.resolve("specs");
    Files.createDirectories(specs);
    Files.writeString(
        specs.resolve("fleet.yaml"),
        """
        datasets:
          - { id: kept, source: { table: report_legacy.sales }, target: { table: report_new.kept } }
          - id: stamped
            source: { table: report_legacy.sales }
            target: { table: report_new.stamped }
            transform: { sql: "SELECT id, kind, current_timestamp() AS loaded_at FROM source" }
            key: [ id ]
          - id: rounded
            source: { table: report_legacy.sales }
            target: { table: report_new.rounded }
            transform: { cast: { amount: "decimal(18,2)" } }
            validation:
              queries: [ "SELECT kind, sum(amount) AS total FROM dataset GROUP BY kind" ]
          - { id: gone_1, source: { table: report_legacy.gone_1 }, target: { table: report_new.g1 } }
          - { id: gone_2, source: { table: report_legacy.gone_2 }, target: { table: report_new.g2 } }
          - id: swapped
            source: { table: report_legacy.swapped }
            target: { table: report_new.swapped }
            cutover: true
        """);
    String results = "-Ddsmigrate.results.database=report_fail";
    Outcome run =
        dsmigrate(
            "run", "--specs", specs.toString(), "--run-id", "nightly-7", "--pilot", "0", results);
    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);

    Path html = temp.resolve("report.html");
    Outcome report = dsmigrate("report", "--run", "nightly-7", "--out", html.toString(), results);
    assertThat(report.code()).as(report.out() + report.err()).isZero();
    assertSelfContained(Files.readString(html));
    Document dom = Jsoup.parse(chromium("--dump-dom", html.toUri().toString()));

    String where = " FROM report_fail.migration_results WHERE run_id = 'nightly-7'";
    assertThat(shown(dom, "#statuses tr[data-status]", "data-status", "td.count"))
        .isEqualTo(counts("SELECT status, count(*)" + where + " GROUP BY status"));
    assertThat(shown(dom, "div.failure-group", "data-error-class", "h3 .count"))
        .isEqualTo(
            counts("SELECT error_class, count(*)" + where + " AND status = 'FAILED' GROUP BY 1"))
        .containsOnlyKeys("SOURCE_NOT_FOUND", "VALIDATION_FAILED", "QUERY_MISMATCH");
    Element notFound = dom.selectFirst("div.failure-group[data-error-class=SOURCE_NOT_FOUND]");
    assertThat(notFound.selectFirst(".fix").text())
        .isEqualTo(
            "Fix the spec or the data as each dataset's message says, then run the plan again.");
    assertThat(notFound.select("li a").eachAttr("href"))
        .containsExactly("#dataset-gone_1", "#dataset-gone_2");
    assertThat(dom.selectFirst("div.failure-group[data-error-class=QUERY_MISMATCH] .fix").text())
        .startsWith("Fix the transform or the query in ")
        .contains("fleet.yaml");

    // The stamped rows differ in loaded_at only: that cell is marked, on both sides.
    Element samples = dom.getElementById("samples-stamped");
    long kept =
        spark()
            .sql(
                "SELECT count(*) FROM report_fail.diff_samples WHERE run_id = 'nightly-7'"
                    + " AND dataset_id = 'stamped'")
            .first()
            .getLong(0);
    assertThat(kept).isPositive();
    assertThat(samples.select("table.samples tr.old")).hasSize((int) Math.min(kept, 10));
    assertThat(samples.select("td.differs").eachAttr("data-column"))
        .hasSize(2 * (int) Math.min(kept, 10))
        .containsOnly("loaded_at");
    Element changed = samples.selectFirst("table.samples tr.new");
    assertThat(changed.selectFirst("td[data-column=kind]").hasClass("differs")).isFalse();

    assertThat(dom.getElementById("queries-changed").text())
        .isEqualTo(
            String.valueOf(
                spark()
                    .sql(
                        "SELECT count(*) FROM (SELECT explode(queries) AS q"
                            + where
                            + ") WHERE NOT q.passed")
                    .first()
                    .getLong(0)))
        .isEqualTo("1");
    // The cut-over kept the source under its backup name, which the page names.
    Row cutOver =
        spark()
            .sql("SELECT dataset_id, backup_table" + where + " AND backup_table IS NOT NULL")
            .first();
    assertThat(cutOver.getString(0)).isEqualTo("swapped");
    Element cutOverRow = dom.selectFirst("#cutover-table tr.cutover");
    assertThat(cutOverRow.text())
        .contains("report_legacy.swapped")
        .contains(cutOver.getString(1))
        .contains("kept");
    assertThat(cutOverRow.select("a").attr("href")).isEqualTo("#dataset-swapped");

    assertThat(dom.getElementById("dataset-gone_1").text())
        .contains("SOURCE_NOT_FOUND")
        .contains("report_legacy.gone_1");
  }

  /** Two assessments; the last (assess-2) has three tables, one of them not migratable. */
  private static void inventory(String database) {
    spark()
        .sql(
            "CREATE TABLE "
                + database
                + ".inventory (assessment_id STRING, assessed_at TIMESTAMP, database STRING,"
                + " `table` STRING, kind STRING, format STRING, location STRING, size_bytes BIGINT,"
                + " files BIGINT, partition_columns ARRAY<STRING>, partitions BIGINT,"
                + " partitions_outside BIGINT, owner STRING, comment STRING,"
                + " properties MAP<STRING, STRING>, dependent_views ARRAY<STRING>,"
                + " migratable BOOLEAN, issues ARRAY<STRING>, spec_file STRING) USING delta");
    spark()
        .sql(
            "INSERT INTO "
                + database
                + ".inventory VALUES"
                + " ('assess-1', TIMESTAMP'2024-05-01 10:00:00', 'legacy', 'old', 'MANAGED',"
                + " 'parquet', 'file:/w/old', 10, 1, array(), 0, 0, 'team-a', NULL, map(),"
                + " array(), true, array(), 'specs/old.yaml'),"
                + " ('assess-2', TIMESTAMP'2024-05-02 10:00:00', 'legacy', 'orders', 'MANAGED',"
                + " 'parquet', 'file:/w/orders', 2048, 2, array('day'), 3, 1, 'team-a', NULL,"
                + " map(), array('legacy.orders_v'), true, array(), 'specs/legacy.yaml'),"
                + " ('assess-2', TIMESTAMP'2024-05-02 10:00:00', 'legacy', 'bucketed',"
                + " 'MANAGED', 'orc', 'file:/w/bucketed', 4096, 4, array(), 0, 0, NULL, NULL,"
                + " map(), array(), false,"
                + " array('bucketed: 4 buckets by id are not kept by Delta; <drop them>'), NULL),"
                + " ('assess-2', TIMESTAMP'2024-05-02 10:00:00', 'legacy', 'orders_v', 'VIEW',"
                + " NULL, NULL, NULL, NULL, array(), NULL, NULL, 'team-a', NULL, map(), array(),"
                + " true, array(), NULL)");
  }

  /** A figure per key as the page shows it: {@code rows} keyed by an attribute, a cell's number. */
  private static Map<String, Long> shown(
      Document dom, String rows, String keyAttribute, String cell) {
    Map<String, Long> shown = new TreeMap<>();
    for (Element row : dom.select(rows)) {
      shown.put(
          row.attr(keyAttribute), Long.parseLong(row.selectFirst(cell).text().replace(",", "")));
    }
    return shown;
  }

  private static Map<String, Long> counts(String sql) {
    Map<String, Long> counts = new TreeMap<>();
    for (Row row : spark().sql(sql).collectAsList()) {
      counts.put(row.getString(0), row.getLong(1));
    }
    return counts;
  }

  /** Opens with no network: nothing is loaded from elsewhere, and there is no script. */
  private static void assertSelfContained(String html) {
    assertThat(html)
        .doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//")
        .doesNotContainPattern("(?i)url\\(\\s*[\"']?\\s*(https?:)?//")
        .doesNotContainPattern("(?i)<(script|link|iframe|img)\\b")
        .doesNotContain("@import");
  }

  private static int colours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }

  /** Runs headless Chromium with {@code args}; returns what it printed on standard output. */
  private String chromium(String... args) throws IOException, InterruptedException {
    String browser = onPath("chromium");
    assertThat(browser)
        .as(
            "The report test renders the page in headless Chromium, which is not installed:"
                + " install Debian's chromium package (apt-get install chromium); .ci/run does")
        .isNotNull();
    List<String> command =
        new ArrayList<>(
            List.of(
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--user-data-dir=" + temp.resolve("chromium-profile")));
    command.addAll(List.of(args));
    Path stdout = Files.createTempFile(temp, "chromium", ".out");
    Path stderr = Files.createTempFile(temp, "chromium", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish in 3 minutes: " + command);
    }
    assertThat(process.exitValue())
        .as("chromium %s: %s", command, Files.readString(stderr))
        .isZero();
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static String onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File file = new File(dir, program);
      if (file.canExecute()) {
        return file.getPath();
      }
    }
    return null;
  }
}
