package io.dsmigrate.launcher.report;

import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.Status;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.commons.text.StringEscapeUtils;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.gantt.Task;
import org.jfree.data.gantt.TaskSeries;
import org.jfree.data.gantt.TaskSeriesCollection;
import org.jfree.data.time.SimpleTimePeriod;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's charts, drawn by JFreeChart into SVG (JFreeSVG) when the report is written: the page
 * needs no script and no network to show them.
 */
final class Charts {
  /** Timeline bars drawn at most: a taller chart is no longer read. */
  static final int TIMELINE_LIMIT = 300;

  private static final int WIDTH = 1100;
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
  private static final Color[] SERIES = {
    new Color(0x15, 0x65, 0xC0),
    new Color(0xEF, 0x6C, 0x00),
    new Color(0x2E, 0x7D, 0x32),
    new Color(0x6A, 0x1B, 0x9A),
    new Color(0xC6, 0x28, 0x28),
    new Color(0x00, 0x83, 0x8F),
    new Color(0x9E, 0x9D, 0x24)
  };

  private Charts() {}

  /** The colour of a status, the same in every chart and badge. */
  static Color color(Status status) {
    return switch (status) {
      case SUCCEEDED -> new Color(0x2E, 0x7D, 0x32);
      case FAILED -> new Color(0xC6, 0x28, 0x28);
      case SKIPPED -> new Color(0x78, 0x90, 0x9C);
      case ROLLED_BACK -> new Color(0xEF, 0x6C, 0x00);
      case DRY_RUN -> new Color(0x15, 0x65, 0xC0);
      case PAUSED -> new Color(0x6A, 0x1B, 0x9A);
      case NOT_STARTED -> new Color(0xB0, 0xB0, 0xB0);
    };
  }

  /** Datasets per wave, stacked by status. */
  static String waves(Map<Integer, Map<Status, Integer>> counts) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    List<Color> colors = new ArrayList<>();
    for (Status status : Status.values()) {
      boolean present = false;
      for (Map.Entry<Integer, Map<Status, Integer>> wave : counts.entrySet()) {
        Integer n = wave.getValue().get(status);
        if (n != null) {
          data.addValue(n, status.name(), waveName(wave.getKey()));
          present = true;
        }
      }
      if (present) {
        colors.add(color(status));
      }
    }
    return counted("chart-waves", "Datasets per wave", "datasets", data, colors);
  }

  /** One bar per dataset from its start to its end, coloured by status. */
  static String timeline(List<DatasetResult> datasets) {
    Map<Status, TaskSeries> byStatus = new TreeMap<>();
    int drawn = 0;
    for (DatasetResult result : datasets) {
      if (drawn == TIMELINE_LIMIT
          || result.startedAt() == null
          || result.finishedAt() == null
          || result.finishedAt().before(result.startedAt())) {
        continue;
      }
      byStatus
          .computeIfAbsent(result.status(), status -> new TaskSeries(status.name()))
          .add(
              new Task(
                  result.datasetId(),
                  new SimpleTimePeriod(
                      new Date(result.startedAt().getTime()),
                      new Date(result.finishedAt().getTime()))));
      drawn++;
    }
    TaskSeriesCollection data = new TaskSeriesCollection();
    byStatus.values().forEach(data::add);
    int rows = drawn;
    return draw(
        "chart-timeline",
        110 + 18 * Math.max(rows, 3),
        () -> {
          JFreeChart chart =
              ChartFactory.createGanttChart("Timeline", null, "time", data, true, false, false);
          CategoryPlot plot = plain(chart).getCategoryPlot();
          BarRenderer renderer = flat((BarRenderer) plot.getRenderer());
          int i = 0;
          for (Status status : byStatus.keySet()) {
            renderer.setSeriesPaint(i++, color(status));
          }
          DateAxis time = (DateAxis) plot.getRangeAxis();
          time.setDateFormatOverride(new SimpleDateFormat("HH:mm:ss"));
          plot.getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
          return chart;
        });
  }

  /** Mean and longest duration (seconds) per transform kind. */
  static String durationsByTransform(Map<String, double[]> meanAndMax) {
    DefaultCategoryDataset data = twoSeries(meanAndMax, "mean", "longest");
    return draw(
        "chart-durations",
        300,
        () -> {
          JFreeChart chart =
              ChartFactory.createBarChart(
                  "Duration by transform kind",
                  "transform",
                  "seconds",
                  data,
                  PlotOrientation.VERTICAL,
                  true,
                  false,
                  false);
          BarRenderer renderer = flat((BarRenderer) plain(chart).getCategoryPlot().getRenderer());
          renderer.setSeriesPaint(0, SERIES[0]);
          renderer.setSeriesPaint(1, SERIES[1]);
          return chart;
        });
  }

  /** Each dataset's duration (seconds) against its source rows, one series per transform kind. */
  static String durationsBySize(Map<String, List<double[]>> rowsAndSeconds) {
    XYSeriesCollection data = new XYSeriesCollection();
    rowsAndSeconds.forEach(
        (kind, points) -> {
          XYSeries series = new XYSeries(kind, false, true);
          points.forEach(point -> series.add(point[0], point[1]));
          data.addSeries(series);
        });
    return draw(
        "chart-sizes",
        320,
        () -> {
          JFreeChart chart =
              ChartFactory.createScatterPlot(
                  "Duration by source rows",
                  "source rows",
                  "seconds",
                  data,
                  PlotOrientation.VERTICAL,
                  true,
                  false,
                  false);
          XYPlot plot = chart.getXYPlot();
          plainBackground(chart);
          plot.setBackgroundPaint(Color.WHITE);
          plot.setDomainGridlinePaint(GRID);
          plot.setRangeGridlinePaint(GRID);
          XYItemRenderer renderer = plot.getRenderer();
          for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, SERIES[i % SERIES.length]);
          }
          return chart;
        });
  }

  /** Tables of an assessment per format (and views), stacked by whether they can be migrated. */
  static String formats(Map<String, double[]> migratableAndNot) {
    return counted(
        "chart-formats",
        "Tables by format",
        "tables",
        twoSeries(migratableAndNot, "migratable", "not migratable"),
        List.of(color(Status.SUCCEEDED), color(Status.FAILED)));
  }

  /** Two series over the same categories: each category's pair of values. */
  private static DefaultCategoryDataset twoSeries(
      Map<String, double[]> pairs, String first, String second) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    pairs.forEach(
        (category, values) -> {
          data.addValue(values[0], first, category);
          data.addValue(values[1], second, category);
        });
    return data;
  }

  /** Horizontal bars of counts per category, stacked by series (one colour each). */
  private static String counted(
      String id, String title, String unit, DefaultCategoryDataset data, List<Color> colors) {
    return draw(
        id,
        120 + 40 * data.getColumnCount(),
        () -> {
          JFreeChart chart =
              ChartFactory.createStackedBarChart(
                  title, null, unit, data, PlotOrientation.HORIZONTAL, true, false, false);
          CategoryPlot plot = plain(chart).getCategoryPlot();
          BarRenderer renderer = flat((BarRenderer) plot.getRenderer());
          for (int i = 0; i < colors.size(); i++) {
            renderer.setSeriesPaint(i, colors.get(i));
          }
          plot.getRangeAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
          return chart;
        });
  }

  static String waveName(int wave) {
    return wave == 0 ? "pilot" : "wave " + wave;
  }

  /**
   * The chart as an inline {@code <svg>} element, or a note saying why it could not be drawn (Java
   * draws text with the system's fonts: a host without any cannot measure it). The tables beside
   * each chart carry the same figures.
   */
  private static String draw(String id, int height, Supplier<JFreeChart> chart) {
    try {
      SVGGraphics2D svg = new SVGGraphics2D(WIDTH, height);
      svg.setDefsKeyPrefix(id + "-");
      chart.get().draw(svg, new Rectangle(0, 0, WIDTH, height));
      return svg.getSVGElement(id);
    } catch (RuntimeException | LinkageError | InternalError e) {
      return "<p class=\"chart-missing\">Chart not drawn: "
          + StringEscapeUtils.escapeHtml4(String.valueOf(e))
          + ". Java needs fontconfig and a font to draw charts (Debian: apt-get install"
          + " fontconfig fonts-dejavu-core); the table holds the same figures.</p>";
    }
  }

  private static JFreeChart plain(JFreeChart chart) {
    plainBackground(chart);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlineVisible(false);
    return chart;
  }

  private static void plainBackground(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    TextTitle title = chart.getTitle();
    if (title != null) {
      title.setFont(TITLE);
    }
  }

  private static BarRenderer flat(BarRenderer renderer) {
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    return renderer;
  }
}
