package io.dsmigrate.launcher.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dsmigrate.job.cutover.DroppedBackupsTable.DroppedBackup;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.validation.QueryOutcome;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.text.StringEscapeUtils;

/**
 * Renders {@link ReportData} as one self-contained HTML page: inline CSS, charts as inline SVG, no
 * script and no link to anything outside the file, so that it opens anywhere, offline, and can be
 * mailed or published as it is. Every text that comes from data is escaped.
 *
 * <p>The page has one section per dataset with the id {@code dataset-<dataset id>}, so that a
 * notice can link to {@code report.html#dataset-<id>}. Elements that carry figures have a class or
 * {@code data-} attribute naming what they count, for people who scrape the page.
 */
public final class HtmlReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CSS =
      """
      body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1160px;\
      padding:16px 24px;color:#222;font-size:14px}
      h1{font-size:24px;margin:8px 0}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid \
      #ddd;padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}
      nav a{margin-right:12px}a{color:#1565c0}
      table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ccc;padding:3px 8px;\
      text-align:left;vertical-align:top}th{background:#f3f3f3}td.n{text-align:right;\
      font-variant-numeric:tabular-nums}
      .badge{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px}
      td.differs{background:#ffcdd2;font-weight:bold}tr.old td.side{color:#555}
      tr.only td{background:#fff3e0}.null{color:#888;font-style:italic}
      .failure-group{border-left:4px solid #c62828;padding:2px 12px;margin:10px 0}
      .fix{background:#f1f8e9;padding:4px 8px}.message{color:#555;font-size:13px}
      .chart{overflow-x:auto;margin:6px 0}.chart-missing{color:#c62828}
      section.dataset{border-top:1px solid #eee;padding-top:4px}
      .muted{color:#777}code{font-size:13px}
      """;

  private final ReportData data;
  private final ZoneId zone;
  private final Instant generatedAt;
  private final StringBuilder html = new StringBuilder(64 * 1024);

  private HtmlReport(ReportData data, ZoneId zone, Instant generatedAt) {
    this.data = requireNonNull(data, "data is null");
    this.zone = requireNonNull(zone, "zone is null");
    this.generatedAt = requireNonNull(generatedAt, "generatedAt is null");
  }

  /** The page for {@code data}, with times shown in {@code zone}. */
  /** What every page says it was written by: a file without it is not a report to replace. */
  private static final String GENERATOR = "<meta name=\"generator\" content=\"dsmigrate report\">";

  /** Whether {@code text} is a page this class wrote. */
  public static boolean isReport(String text) {
    return text.contains(GENERATOR);
  }

  public static String render(ReportData data, ZoneId zone, Instant generatedAt) {
    return new HtmlReport(data, zone, generatedAt).page();
  }

  private String page() {
    String title =
        data.runId() != null
            ? "dsmigrate report: run " + data.runId()
            : "dsmigrate report: assessment " + data.assessmentId();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append(GENERATOR)
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(esc(title))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n<p class=\"muted\">Written ")
        .append(time(generatedAt))
        .append(" from ")
        .append(esc(data.resultsTable()))
        .append(".</p>\n");
    if (data.runId() != null) {
      nav();
      summary();
      waves();
      timeline();
      durations();
      failures();
      mismatches();
      queries();
      cutOvers();
      datasets();
    }
    if (data.assessmentId() != null) {
      assessment();
    }
    html.append("</body></html>\n");
    return html.toString();
  }

  private void nav() {
    html.append("<nav>");
    String[][] links = {
      {"summary", "Summary"},
      {"waves", "Waves"},
      {"timeline", "Timeline"},
      {"durations", "Durations"},
      {"failures", "Failures"},
      {"mismatches", "Validation mismatches"},
      {"queries", "Consumer queries"},
      {"cutovers", "Cut-overs and backups"},
      {"datasets", "Datasets"}
    };
    for (String[] link : links) {
      html.append("<a href=\"#").append(link[0]).append("\">").append(link[1]).append("</a>");
    }
    if (data.assessmentId() != null) {
      html.append("<a href=\"#assessment\">Assessment</a>");
    }
    html.append("</nav>\n");
  }

  // ---- Summary -------------------------------------------------------------------------------

  private void summary() {
    List<DatasetResult> datasets = data.datasets();
    Map<Status, Integer> counts = statusCounts(datasets);
    Timestamp started = null;
    Timestamp finished = null;
    long rows = 0;
    Set<String> plans = new LinkedHashSet<>();
    for (DatasetResult result : datasets) {
      started = earliest(started, result.startedAt());
      finished = latest(finished, result.finishedAt());
      if (result.status() == Status.SUCCEEDED && result.targetRows() != null) {
        rows += result.targetRows();
      }
      if (result.planId() != null) {
        plans.add(result.planId());
      }
    }
    html.append("<section id=\"summary\"><h2>Summary</h2>\n<table id=\"run\">");
    row("Run", "<code>" + esc(data.runId()) + "</code>");
    row("Plan", esc(String.join(", ", plans)));
    row("Datasets", "<span id=\"dataset-count\">" + datasets.size() + "</span>");
    row("Started", time(started));
    row("Finished", time(finished));
    row(
        "Elapsed",
        started == null || finished == null ? "" : seconds(finished.getTime() - started.getTime()));
    row("Rows migrated", "<span id=\"rows-migrated\">" + number(rows) + "</span>");
    html.append("</table>\n<table id=\"statuses\"><tr><th>Status</th><th>Datasets</th></tr>");
    counts.forEach(
        (status, count) ->
            html.append("<tr data-status=\"")
                .append(status.name())
                .append("\"><td>")
                .append(badge(status))
                .append("</td><td class=\"n count\">")
                .append(count)
                .append("</td></tr>"));
    html.append("</table>\n<p class=\"muted\">The same figures in SQL: <code>")
        .append(
            esc(
                "SELECT status, count(*) FROM "
                    + data.resultsTable()
                    + " WHERE run_id = '"
                    + data.runId().replace("'", "''")
                    + "' GROUP BY status"))
        .append("</code> (a dataset run more than once under this id counts once, as it ended).")
        .append("</p></section>\n");
  }

  // ---- Waves ---------------------------------------------------------------------------------

  private void waves() {
    Map<Integer, List<DatasetResult>> byWave = new TreeMap<>();
    for (DatasetResult result : data.datasets()) {
      byWave.computeIfAbsent(result.wave(), w -> new ArrayList<>()).add(result);
    }
    Map<Integer, Map<Status, Integer>> counts = new TreeMap<>();
    byWave.forEach((wave, results) -> counts.put(wave, statusCounts(results)));
    Set<Status> present = new java.util.TreeSet<>();
    counts.values().forEach(c -> present.addAll(c.keySet()));

    html.append("<section id=\"waves\"><h2>Waves</h2>\n<table id=\"wave-table\"><tr><th>Wave</th>")
        .append("<th>Datasets</th>");
    present.forEach(status -> html.append("<th>").append(badge(status)).append("</th>"));
    html.append("<th>Started</th><th>Finished</th></tr>");
    byWave.forEach(
        (wave, results) -> {
          Timestamp started = null;
          Timestamp finished = null;
          for (DatasetResult result : results) {
            started = earliest(started, result.startedAt());
            finished = latest(finished, result.finishedAt());
          }
          html.append("<tr data-wave=\"")
              .append(wave)
              .append("\"><td>")
              .append(Charts.waveName(wave))
              .append("</td><td class=\"n datasets\">")
              .append(results.size())
              .append("</td>");
          for (Status status : present) {
            html.append("<td class=\"n\" data-status=\"")
                .append(status.name())
                .append("\">")
                .append(counts.get(wave).getOrDefault(status, 0))
                .append("</td>");
          }
          html.append("<td>")
              .append(time(started))
              .append("</td><td>")
              .append(time(finished))
              .append("</td></tr>");
        });
    html.append("</table>\n");
    chart(Charts.waves(counts));
    html.append("</section>\n");
  }

  // ---- Timeline ------------------------------------------------------------------------------

  private void timeline() {
    html.append("<section id=\"timeline\"><h2>Timeline</h2>\n");
    int timed = 0;
    for (DatasetResult result : data.datasets()) {
      if (result.startedAt() != null && result.finishedAt() != null) {
        timed++;
      }
    }
    if (timed > Charts.TIMELINE_LIMIT) {
      html.append("<p class=\"muted\">The first ")
          .append(Charts.TIMELINE_LIMIT)
          .append(" of ")
          .append(timed)
          .append(" datasets, by wave and start.</p>");
    }
    chart(Charts.timeline(data.datasets()));
    html.append("</section>\n");
  }

  // ---- Durations -----------------------------------------------------------------------------

  private void durations() {
    Map<String, List<DatasetResult>> byKind = new TreeMap<>();
    Map<String, List<DatasetResult>> bySize = new LinkedHashMap<>();
    for (String size : SIZES) {
      bySize.put(size, new ArrayList<>());
    }
    Map<String, List<double[]>> points = new TreeMap<>();
    for (DatasetResult result : data.datasets()) {
      if (result.attempts() == 0) {
        continue; // not migrated by this run: its duration says nothing about the work
      }
      String kind = Objects.requireNonNullElse(result.transformKind(), "unknown");
      byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(result);
      bySize.get(sizeOf(result.sourceRows())).add(result);
      if (result.sourceRows() != null) {
        points
            .computeIfAbsent(kind, k -> new ArrayList<>())
            .add(new double[] {result.sourceRows(), result.durationMs() / 1000.0});
      }
    }
    bySize.values().removeIf(List::isEmpty);
    html.append("<section id=\"durations\"><h2>Durations</h2>\n");
    if (byKind.isEmpty()) {
      html.append("<p>No dataset was migrated by this run.</p></section>\n");
      return;
    }
    html.append("<p class=\"muted\">Datasets this run migrated or tried to (not the skipped).</p>");
    Map<String, double[]> meanAndMax = durationTable("by-transform", "Transform", byKind);
    chart(Charts.durationsByTransform(meanAndMax));
    durationTable("by-size", "Source rows", bySize);
    chart(Charts.durationsBySize(points));
    html.append("</section>\n");
  }

  private static final String[] SIZES = {
    "empty", "1 – 999", "1,000 – 99,999", "100,000 – 9,999,999", "10,000,000 or more", "unknown"
  };

  private static String sizeOf(Long rows) {
    if (rows == null) {
      return SIZES[5];
    }
    if (rows == 0) {
      return SIZES[0];
    }
    if (rows < 1_000) {
      return SIZES[1];
    }
    if (rows < 100_000) {
      return SIZES[2];
    }
    return rows < 10_000_000 ? SIZES[3] : SIZES[4];
  }

  /** A table of durations per group; returns each group's mean and longest, in seconds. */
  private Map<String, double[]> durationTable(
      String id, String header, Map<String, List<DatasetResult>> groups) {
    Map<String, double[]> meanAndMax = new LinkedHashMap<>();
    html.append("<table id=\"")
        .append(id)
        .append("\"><tr><th>")
        .append(header)
        .append("</th><th>Datasets</th><th>Total</th><th>Mean</th><th>Longest</th>")
        .append("<th>Longest dataset</th></tr>");
    groups.forEach(
        (group, results) -> {
          long total = 0;
          DatasetResult longest = results.get(0);
          for (DatasetResult result : results) {
            total += result.durationMs();
            if (result.durationMs() > longest.durationMs()) {
              longest = result;
            }
          }
          long mean = total / results.size();
          meanAndMax.put(group, new double[] {mean / 1000.0, longest.durationMs() / 1000.0});
          html.append("<tr data-group=\"")
              .append(esc(group))
              .append("\"><td>")
              .append(esc(group))
              .append("</td><td class=\"n datasets\">")
              .append(results.size())
              .append("</td><td class=\"n\">")
              .append(seconds(total))
              .append("</td><td class=\"n\">")
              .append(seconds(mean))
              .append("</td><td class=\"n\">")
              .append(seconds(longest.durationMs()))
              .append("</td><td>")
              .append(link(longest.datasetId()))
              .append("</td></tr>");
        });
    html.append("</table>\n");
    return meanAndMax;
  }

  // ---- Failures ------------------------------------------------------------------------------

  private void failures() {
    Map<String, List<DatasetResult>> byClass = new TreeMap<>();
    for (DatasetResult result : data.datasets()) {
      if (result.status() == Status.FAILED) {
        byClass
            .computeIfAbsent(
                Objects.requireNonNullElse(result.errorClass(), "UNKNOWN"), c -> new ArrayList<>())
            .add(result);
      }
    }
    html.append("<section id=\"failures\"><h2>Failures</h2>\n");
    if (byClass.isEmpty()) {
      html.append("<p id=\"no-failures\">No dataset failed.</p>");
    }
    byClass.forEach(
        (errorClass, results) -> {
          Set<String> fixes = new LinkedHashSet<>();
          results.forEach(
              r -> fixes.add(Objects.requireNonNullElse(Fixes.of(r.errorMessage()), "")));
          String fix =
              fixes.size() == 1 && !fixes.contains("")
                  ? fixes.iterator().next()
                  : Fixes.forClass(errorClass);
          String kind = Fixes.kindOf(errorClass);
          html.append("<div class=\"failure-group\" data-error-class=\"")
              .append(esc(errorClass))
              .append("\"><h3>")
              .append(esc(errorClass))
              .append(": <span class=\"count\">")
              .append(results.size())
              .append("</span> ")
              .append(results.size() == 1 ? "dataset" : "datasets")
              .append(kind == null ? "" : " <span class=\"muted\">(" + kind + ")</span>")
              .append("</h3>");
          if (fix != null) {
            html.append("<p class=\"fix\">").append(esc(fix)).append("</p>");
          }
          html.append("<ul>");
          for (DatasetResult result : results) {
            html.append("<li>")
                .append(link(result.datasetId()))
                .append(": <span class=\"message\">")
                .append(esc(result.errorMessage()))
                .append("</span></li>");
          }
          html.append("</ul></div>\n");
        });
    Map<String, Integer> held = new TreeMap<>();
    for (DatasetResult result : data.datasets()) {
      if (result.status() == Status.NOT_STARTED) {
        held.merge(Objects.requireNonNullElse(result.errorMessage(), ""), 1, Integer::sum);
      }
    }
    held.forEach(
        (message, count) ->
            html.append("<p class=\"held\">NOT_STARTED: ")
                .append(count)
                .append(" datasets: ")
                .append(esc(message))
                .append("</p>"));
    html.append("</section>\n");
  }

  // ---- Validation mismatches -----------------------------------------------------------------

  private void mismatches() {
    Map<String, List<DiffSample>> samples = new LinkedHashMap<>();
    for (DiffSample sample : data.samples()) {
      samples.computeIfAbsent(sample.datasetId(), id -> new ArrayList<>()).add(sample);
    }
    html.append("<section id=\"mismatches\"><h2>Validation mismatches</h2>\n");
    int shown = 0;
    for (DatasetResult result : data.datasets()) {
      List<DiffSample> own = samples.getOrDefault(result.datasetId(), List.of());
      boolean differs =
          Boolean.FALSE.equals(result.contentMatch())
              || Boolean.FALSE.equals(result.schemaMatch())
              || !own.isEmpty();
      if (!differs) {
        continue;
      }
      shown++;
      html.append("<div class=\"mismatch\" id=\"samples-")
          .append(esc(result.datasetId()))
          .append("\"><h3>")
          .append(link(result.datasetId()))
          .append(" ")
          .append(badge(result.status()))
          .append("</h3><table class=\"figures\"><tr><th>Source rows</th><th>Target rows</th>")
          .append("<th>Schema</th><th>Content</th><th>Missing</th><th>Extra</th>")
          .append("<th>Changed</th><th>Columns differing</th></tr><tr>")
          .append(numberCell(result.sourceRows()))
          .append(numberCell(result.targetRows()))
          .append("<td>")
          .append(match(result.schemaMatch()))
          .append("</td><td>")
          .append(match(result.contentMatch()))
          .append("</td>")
          .append(numberCell(result.rowsMissing()))
          .append(numberCell(result.rowsExtra()))
          .append(
              numberCell(result.validation() == null ? null : result.validation().rowsChanged()))
          .append("<td>")
          .append(
              result.validation() == null
                  ? ""
                  : esc(String.join(", ", result.validation().columnsDiffering())))
          .append("</td></tr></table>\n");
      if (own.isEmpty()) {
        html.append("<p class=\"muted\">No samples kept.</p>");
      } else {
        sampleTable(own);
      }
      html.append("</div>\n");
    }
    if (shown == 0) {
      html.append("<p id=\"no-mismatches\">Every validated dataset matched its source.</p>");
    }
    html.append("</section>\n");
  }

  /** Old and new side by side, a pair of rows per sample, the differing cells marked. */
  private void sampleTable(List<DiffSample> samples) {
    List<Map<String, JsonNode>> olds = new ArrayList<>();
    List<Map<String, JsonNode>> news = new ArrayList<>();
    Set<String> columns = new LinkedHashSet<>();
    for (DiffSample sample : samples) {
      Map<String, JsonNode> old = fields(sample.oldValue());
      Map<String, JsonNode> neu = fields(sample.newValue());
      olds.add(old);
      news.add(neu);
      columns.addAll(old == null ? Set.of() : old.keySet());
      columns.addAll(neu == null ? Set.of() : neu.keySet());
    }
    html.append("<table class=\"samples\"><tr><th>Kind</th><th>Key</th><th>Side</th>");
    columns.forEach(column -> html.append("<th>").append(esc(column)).append("</th>"));
    html.append("</tr>");
    for (int i = 0; i < samples.size(); i++) {
      DiffSample sample = samples.get(i);
      Set<String> differing = new LinkedHashSet<>(sample.columns());
      if (differing.isEmpty() && olds.get(i) != null && news.get(i) != null) {
        for (String column : columns) {
          if (!Objects.equals(olds.get(i).get(column), news.get(i).get(column))) {
            differing.add(column);
          }
        }
      }
      boolean both = olds.get(i) != null && news.get(i) != null;
      int sides = (olds.get(i) != null ? 1 : 0) + (news.get(i) != null ? 1 : 0);
      boolean first = true;
      for (String side : List.of("old", "new")) {
        Map<String, JsonNode> values = side.equals("old") ? olds.get(i) : news.get(i);
        String raw = side.equals("old") ? sample.oldValue() : sample.newValue();
        if (values == null && raw == null) {
          continue;
        }
        html.append("<tr class=\"")
            .append(side)
            .append(both ? "" : " only")
            .append("\" data-kind=\"")
            .append(esc(sample.kind()))
            .append("\">");
        if (first) {
          html.append("<td rowspan=\"")
              .append(Math.max(sides, 1))
              .append("\">")
              .append(esc(sample.kind()))
              .append("</td><td rowspan=\"")
              .append(Math.max(sides, 1))
              .append("\"><code>")
              .append(esc(Objects.requireNonNullElse(sample.key(), "")))
              .append("</code></td>");
          first = false;
        }
        html.append("<td class=\"side\">").append(side).append(both ? "" : " only").append("</td>");
        if (values == null) {
          html.append("<td colspan=\"")
              .append(Math.max(columns.size(), 1))
              .append("\"><code>")
              .append(esc(raw))
              .append("</code></td>");
        } else {
          for (String column : columns) {
            html.append(both && differing.contains(column) ? "<td class=\"differs\" " : "<td ")
                .append("data-column=\"")
                .append(esc(column))
                .append("\">")
                .append(value(values.get(column)))
                .append("</td>");
          }
        }
        html.append("</tr>");
      }
    }
    html.append("</table>\n");
  }

  /** A sample row's columns in their order, or null when it is absent or not a JSON object. */
  private static Map<String, JsonNode> fields(String json) {
    if (json == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        return null;
      }
      Map<String, JsonNode> fields = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        fields.put(field.getKey(), field.getValue());
      }
      return fields;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static String value(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "";
    }
    if (node.isNull()) {
      return "<span class=\"null\">null</span>";
    }
    return esc(node.isValueNode() ? node.asText() : node.toString());
  }

  // ---- Consumer queries ----------------------------------------------------------------------

  private void queries() {
    html.append("<section id=\"queries\"><h2>Consumer queries</h2>\n");
    int total = 0;
    int passed = 0;
    StringBuilder rows = new StringBuilder();
    for (DatasetResult result : data.datasets()) {
      if (result.validation() == null) {
        continue;
      }
      for (QueryOutcome query : result.validation().queries()) {
        total++;
        if (query.passed()) {
          passed++;
        }
        rows.append("<tr class=\"query\" data-passed=\"")
            .append(query.passed())
            .append("\"><td>")
            .append(link(result.datasetId()))
            .append("</td><td><code>")
            .append(esc(query.query()))
            .append("</code></td><td>")
            .append(query.passed() ? "same" : "<strong>changed</strong>")
            .append("</td>")
            .append(numberCell(query.rowsOld()))
            .append(numberCell(query.rowsNew()))
            .append(numberCell(query.rowsMissing()))
            .append(numberCell(query.rowsExtra()))
            .append("<td>")
            .append(esc(query.detail()))
            .append("</td></tr>");
      }
    }
    if (total == 0) {
      html.append("<p>No consumer queries were run.</p></section>\n");
      return;
    }
    html.append("<p><span id=\"queries-total\">")
        .append(total)
        .append("</span> queries: <span id=\"queries-same\">")
        .append(passed)
        .append("</span> gave the same result on the new data, <span id=\"queries-changed\">")
        .append(total - passed)
        .append("</span> another.</p>\n<table id=\"query-table\"><tr><th>Dataset</th>")
        .append("<th>Query</th><th>Result</th><th>Rows old</th><th>Rows new</th>")
        .append("<th>Missing</th><th>Extra</th><th>Detail</th></tr>")
        .append(rows)
        .append("</table></section>\n");
  }

  // ---- Cut-overs and backups -----------------------------------------------------------------

  private void cutOvers() {
    html.append("<section id=\"cutovers\"><h2>Cut-overs and backups</h2>\n");
    List<DatasetResult> cut = new ArrayList<>();
    for (DatasetResult result : data.datasets()) {
      if (result.backupTable() != null) {
        cut.add(result);
      }
    }
    if (cut.isEmpty()) {
      html.append("<p>No table was cut over.</p>");
    } else {
      html.append("<table id=\"cutover-table\"><tr><th>Dataset</th><th>Table</th>")
          .append("<th>Backup (the source as it was)</th><th>Backup now</th></tr>");
      for (DatasetResult result : cut) {
        DroppedBackup dropped = droppedBackupOf(result);
        html.append("<tr class=\"cutover\"><td>")
            .append(link(result.datasetId()))
            .append("</td><td><code>")
            .append(esc(result.target()))
            .append("</code></td><td><code>")
            .append(esc(result.backupTable()))
            .append("</code></td><td>")
            .append(
                dropped == null
                    ? "kept (dsmigrate rollback restores it; drop-backups removes it)"
                    : "dropped "
                        + time(dropped.droppedAt())
                        + (dropped.filesDeleted() ? ", files deleted" : ", files kept"))
            .append("</td></tr>");
      }
      html.append("</table>\n");
    }
    List<DatasetResult> snapshots = new ArrayList<>();
    for (DatasetResult result : data.datasets()) {
      if (result.snapshot() != null) {
        snapshots.add(result);
      }
    }
    if (!snapshots.isEmpty()) {
      html.append("<h3>Source snapshots (what a rollback restores)</h3><table id=\"snapshots\">")
          .append("<tr><th>Dataset</th><th>Snapshot</th><th>Target version before</th></tr>");
      for (DatasetResult result : snapshots) {
        html.append("<tr><td>")
            .append(link(result.datasetId()))
            .append("</td><td><code>")
            .append(esc(result.snapshot()))
            .append("</code></td>")
            .append(numberCell(result.targetPreviousVersion()))
            .append("</tr>");
      }
      html.append("</table>\n");
    }
    html.append("</section>\n");
  }

  private DroppedBackup droppedBackupOf(DatasetResult result) {
    for (DroppedBackup dropped : data.droppedBackups()) {
      if (dropped.datasetId().equals(result.datasetId())
          && dropped.backupTable().equals(result.backupTable())) {
        return dropped;
      }
    }
    return null;
  }

  // ---- Datasets ------------------------------------------------------------------------------

  private void datasets() {
    Set<String> withSamples = new LinkedHashSet<>();
    data.samples().forEach(sample -> withSamples.add(sample.datasetId()));
    html.append("<section id=\"datasets\"><h2>Datasets</h2>\n");
    for (DatasetResult result : data.datasets()) {
      html.append("<section class=\"dataset\" id=\"dataset-")
          .append(esc(result.datasetId()))
          .append("\" data-status=\"")
          .append(result.status().name())
          .append("\"><h3>")
          .append(esc(result.datasetId()))
          .append(" ")
          .append(badge(result.status()))
          .append("</h3><table>");
      row("Wave", Charts.waveName(result.wave()));
      row("Source", "<code>" + esc(result.source()) + "</code>");
      row(
          "Target",
          "<code>"
              + esc(result.target())
              + "</code>"
              + (result.inPlace() ? " (in place)" : "")
              + (result.targetLocation() == null
                  ? ""
                  : " at <code>" + esc(result.targetLocation()) + "</code>"));
      row("Transform", esc(result.transformKind()));
      row("Rows", number(result.sourceRows()) + " → " + number(result.targetRows()));
      row("Schema / content", match(result.schemaMatch()) + " / " + match(result.contentMatch()));
      if (withSamples.contains(result.datasetId())) {
        row(
            "Diff samples",
            "<a href=\"#samples-" + esc(result.datasetId()) + "\">old and new rows</a>");
      }
      row(
          "Duration",
          seconds(result.durationMs())
              + " ("
              + result.attempts()
              + (result.attempts() == 1 ? " attempt" : " attempts")
              + "), "
              + time(result.startedAt())
              + " – "
              + time(result.finishedAt()));
      if (!result.consumers().isEmpty()) {
        row("Consumers", esc(String.join(", ", result.consumers())));
      }
      if (result.errorClass() != null || result.errorMessage() != null) {
        row(
            "Error",
            "<strong>"
                + esc(result.errorClass())
                + "</strong> <span class=\"message\">"
                + esc(result.errorMessage())
                + "</span>");
      }
      if (result.backupTable() != null) {
        row("Backup", "<code>" + esc(result.backupTable()) + "</code>");
      }
      html.append("</table></section>\n");
    }
    html.append("</section>\n");
  }

  // ---- Assessment ----------------------------------------------------------------------------

  private void assessment() {
    List<InventoryEntry> entries = data.inventory();
    int migratable = 0;
    long bytes = 0;
    Map<String, double[]> byFormat = new TreeMap<>();
    for (InventoryEntry entry : entries) {
      if (entry.migratable()) {
        migratable++;
      }
      if (entry.sizeBytes() != null) {
        bytes += entry.sizeBytes();
      }
      String format =
          entry.format() != null ? entry.format() : Objects.requireNonNullElse(entry.kind(), "");
      byFormat
          .computeIfAbsent(format.toLowerCase(Locale.ROOT), f -> new double[2])[
          entry.migratable() ? 0 : 1]++;
    }
    Timestamp assessedAt = entries.isEmpty() ? null : entries.get(0).assessedAt();
    html.append("<section id=\"assessment\"><h2>Assessment <code>")
        .append(esc(data.assessmentId()))
        .append("</code></h2>\n<p>Assessed ")
        .append(time(assessedAt))
        .append(": <span id=\"assessed-tables\">")
        .append(entries.size())
        .append("</span> tables and views, <span id=\"assessed-migratable\">")
        .append(migratable)
        .append("</span> can be migrated as drafted, <span id=\"assessed-not-migratable\">")
        .append(entries.size() - migratable)
        .append("</span> need attention; ")
        .append(bytes(bytes))
        .append(" in all.</p>\n");
    chart(Charts.formats(byFormat));
    html.append("<table id=\"inventory\"><tr><th>Table</th><th>Kind</th><th>Format</th>")
        .append("<th>Size</th><th>Files</th><th>Partitions (outside)</th><th>Owner</th>")
        .append("<th>Views reading it</th><th>Migratable</th><th>Issues</th><th>Spec</th></tr>");
    for (InventoryEntry entry : entries) {
      html.append("<tr class=\"entry\" data-migratable=\"")
          .append(entry.migratable())
          .append("\"><td><code>")
          .append(esc(entry.name()))
          .append("</code></td><td>")
          .append(esc(entry.kind()))
          .append("</td><td>")
          .append(esc(entry.format()))
          .append("</td><td class=\"n\">")
          .append(entry.sizeBytes() == null ? "" : bytes(entry.sizeBytes()))
          .append("</td>")
          .append(numberCell(entry.files()))
          .append("<td class=\"n\">")
          .append(number(entry.partitions()))
          .append(
              entry.partitionsOutside() == null || entry.partitionsOutside() == 0
                  ? ""
                  : " (" + number(entry.partitionsOutside()) + ")")
          .append("</td><td>")
          .append(esc(entry.owner()))
          .append("</td><td>")
          .append(esc(String.join(", ", entry.dependentViews())))
          .append("</td><td>")
          .append(entry.migratable() ? "yes" : "<strong>no</strong>")
          .append("</td><td>");
      if (!entry.issues().isEmpty()) {
        html.append("<ul>");
        entry.issues().forEach(issue -> html.append("<li>").append(esc(issue)).append("</li>"));
        html.append("</ul>");
      }
      html.append("</td><td><code>").append(esc(entry.specFile())).append("</code></td></tr>");
    }
    html.append("</table></section>\n");
  }

  // ---- Pieces --------------------------------------------------------------------------------

  private void row(String header, String cellHtml) {
    html.append("<tr><th>")
        .append(header)
        .append("</th><td>")
        .append(cellHtml)
        .append("</td></tr>");
  }

  private void chart(String svgOrNote) {
    html.append("<div class=\"chart\">").append(svgOrNote).append("</div>\n");
  }

  private static Map<Status, Integer> statusCounts(List<DatasetResult> results) {
    Map<Status, Integer> counts = new TreeMap<>();
    results.forEach(result -> counts.merge(result.status(), 1, Integer::sum));
    return counts;
  }

  private static String badge(Status status) {
    java.awt.Color color = Charts.color(status);
    return String.format(
        "<span class=\"badge\" style=\"background:#%02x%02x%02x\">%s</span>",
        color.getRed(), color.getGreen(), color.getBlue(), status.name());
  }

  private static String link(String datasetId) {
    return "<a href=\"#dataset-" + esc(datasetId) + "\">" + esc(datasetId) + "</a>";
  }

  private static String match(Boolean match) {
    if (match == null) {
      return "<span class=\"muted\">not checked</span>";
    }
    return match ? "match" : "<strong>differs</strong>";
  }

  private static String numberCell(Long value) {
    return "<td class=\"n\">" + number(value) + "</td>";
  }

  private static String number(Long value) {
    return value == null ? "" : String.format(Locale.ROOT, "%,d", value);
  }

  private static String number(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String bytes(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private String time(Timestamp timestamp) {
    return timestamp == null ? "" : time(timestamp.toInstant());
  }

  private String time(Instant instant) {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx", Locale.ROOT)
        .format(instant.atZone(zone));
  }

  private static Timestamp earliest(Timestamp a, Timestamp b) {
    return a == null || (b != null && b.before(a)) ? b : a;
  }

  private static Timestamp latest(Timestamp a, Timestamp b) {
    return a == null || (b != null && b.after(a)) ? b : a;
  }

  private static String esc(String text) {
    return text == null ? "" : StringEscapeUtils.escapeHtml4(text);
  }
}
