package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.NestedLocations;
import io.dsmigrate.job.spec.SpecException;
import io.dsmigrate.job.spec.SpecProblem;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Turns checked specs into a {@link Plan}: resolves every source (format, schema, size), picks the
 * pilot wave, cuts the rest into waves, and splits each wave into partitions of similar total size
 * (largest first, each to the lightest partition).
 *
 * <p>The pilot is representative: every dataset falls in a class (source format, transform kind,
 * size class), and the pilot takes one dataset of each class in turn (largest classes first, the
 * dataset of median size in its class), then more of each, until it has {@code pilot} datasets.
 * Datasets whose source could not be resolved are never in the pilot: they would fail it for a
 * reason the plan already shows.
 *
 * <p>Planning scales with the number of distinct sources, not of specs: each distinct source (a
 * table, or a path and format) is resolved once, and the tables the specs name are read from the
 * metastore once per database ({@link TableLookup}). Each dataset gets its {@link ExecutionPath}.
 */
public final class Planner {
  /** Size classes for the pilot: below 1 GiB, below 100 GiB, above. */
  private static final long[] SIZE_CLASSES = {1L << 30, 100L << 30};

  private static final String[] SIZE_CLASS_NAMES = {"small", "medium", "large"};

  private final SparkSession spark;
  private AgentLimits agentLimits = AgentLimits.DEFAULTS;
  private int resolutions;
  private String jobGroup;
  private int partitions = 1;
  private int pilot;
  private int waveSize;

  private Planner(SparkSession spark) {
    this.spark = requireNonNull(spark, "spark is null");
  }

  public static Planner of(SparkSession spark) {
    return new Planner(spark);
  }

  /** Which datasets may take the agent path (default: {@link AgentLimits#DEFAULTS}). */
  public Planner agentLimits(AgentLimits limits) {
    this.agentLimits = requireNonNull(limits, "limits is null");
    return this;
  }

  /** Partitions per wave (the pilot gets at most one per dataset). */
  public Planner partitions(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("--partitions must be 1 or more, not " + count);
    }
    this.partitions = count;
    return this;
  }

  /** Datasets in the pilot wave; 0 = no pilot. */
  public Planner pilot(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("--pilot must be 0 (no pilot) or more, not " + size);
    }
    this.pilot = size;
    return this;
  }

  /** Datasets per wave after the pilot; 0 = all of them in one wave. */
  public Planner waveSize(int size) {
    if (size < 0) {
      throw new IllegalArgumentException(
          "--wave-size must be 0 (one wave after the pilot) or more, not " + size);
    }
    this.waveSize = size;
    return this;
  }

  /** The class a dataset stands for in the pilot: source format, transform kind, size class. */
  public static String pilotClass(PlannedDataset dataset) {
    long size = dataset.sizeBytes();
    int sizeClass = 0;
    while (sizeClass < SIZE_CLASSES.length && size >= SIZE_CLASSES[sizeClass]) {
      sizeClass++;
    }
    return (dataset.source() == null ? "unresolved" : dataset.source().format())
        + "/"
        + dataset.spec().transform().kind()
        + "/"
        + SIZE_CLASS_NAMES[sizeClass];
  }

  /**
   * Plans {@code specs}.
   *
   * @throws SpecException when locations of specs nest, as the metastore places their tables (a
   *     target inside another's target or source, a source inside another's target, a target inside
   *     its own source or holding it): nothing is planned
   */
  public Plan plan(List<DatasetSpec> specs) {
    String planId =
        "plan-"
            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
            + "-"
            + UUID.randomUUID().toString().substring(0, 6);
    SparkContext context = spark.sparkContext();
    String group = context.getLocalProperty("spark.jobGroup.id");
    String description = context.getLocalProperty("spark.job.description");
    jobGroup = "dsmigrate " + planId;
    context.setJobGroup(jobGroup, "plan: resolve sources", false);
    try {
      return plan(planId, specs);
    } finally {
      context.setLocalProperty("spark.jobGroup.id", group);
      context.setLocalProperty("spark.job.description", description);
    }
  }

  private Plan plan(String planId, List<DatasetSpec> specs) {
    resolutions = 0;
    TableLookup tables = TableLookup.prefetched(spark, tableNames(specs));
    List<String> targetLocations = checkNesting(specs, tables);
    // Many specs read one source: each distinct source is resolved once. A source that cannot be
    // resolved is resolved again for each spec, whose error names that spec.
    Map<String, SourceInfo> resolved = new HashMap<>();
    List<PlannedDataset> planned = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      DatasetSpec spec = specs.get(i);
      String key = SourceResolver.key(spec.source());
      SourceInfo source = resolved.get(key);
      String error = null;
      if (source == null) {
        try {
          resolutions++;
          source = SourceResolver.resolve(spark, spec, tables);
          resolved.put(key, source);
        } catch (MigrationException e) {
          error = e.getMessage();
        }
      }
      planned.add(
          PlannedDataset.of(
              spec,
              source,
              error,
              ExecutionPath.choose(spec, source, targetLocations.get(i), agentLimits)));
    }
    planned.sort(Comparator.comparing(p -> p.spec().id()));
    List<PlannedDataset> pilotWave = pickPilot(planned);
    List<PlannedDataset> rest = new ArrayList<>(planned);
    rest.removeAll(pilotWave);
    List<Plan.Partition> result = new ArrayList<>();
    if (!pilotWave.isEmpty()) {
      split(pilotWave, Plan.PILOT, result);
    }
    int chunk = waveSize == 0 ? Math.max(1, rest.size()) : waveSize;
    for (int from = 0, wave = 1; from < rest.size(); from += chunk, wave++) {
      split(rest.subList(from, Math.min(rest.size(), from + chunk)), wave, result);
    }
    if (result.isEmpty()) {
      result.add(new Plan.Partition(0, pilot > 0 ? Plan.PILOT : 1, 0, List.of()));
    }
    String created = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
    return new Plan(planId, created, result);
  }

  /**
   * How many times the last {@link #plan} resolved a source: once for each distinct source (table,
   * or path and format), and once more for each spec whose source could not be resolved.
   */
  public int resolutions() {
    return resolutions;
  }

  /** The Spark job group of the last {@link #plan}'s jobs (schema inference of path sources). */
  public String jobGroup() {
    return jobGroup;
  }

  private static List<String> tableNames(List<DatasetSpec> specs) {
    List<String> names = new ArrayList<>();
    for (DatasetSpec spec : specs) {
      if (spec.source().table() != null) {
        names.add(spec.source().table());
      }
      if (spec.target().table() != null) {
        names.add(spec.target().table());
      }
    }
    return names;
  }

  /**
   * Literal paths were compared when the specs loaded; tables have locations only the metastore
   * knows (a target table that does not exist yet: where Spark will create it).
   *
   * @return each spec's target location (null when not known), in the order of {@code specs}
   */
  private List<String> checkNesting(List<DatasetSpec> specs, TableLookup tables) {
    List<NestedLocations.Located> located = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (DatasetSpec spec : specs) {
      String target = locationOrNull(() -> TableLocations.target(spark, tables, spec.target()));
      targets.add(target);
      located.add(
          new NestedLocations.Located(
              spec, locationOrNull(() -> TableLocations.source(tables, spec.source())), target));
    }
    List<SpecProblem> problems = NestedLocations.problems(located, true);
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    return targets;
  }

  // A source that cannot be resolved (or a view, which has no location) fails when the dataset
  // runs, with its own message.
  private static String locationOrNull(java.util.function.Supplier<String> location) {
    try {
      return location.get();
    } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
      return null;
    }
  }

  /** Round robin over the classes, largest class first, median-sized dataset of each first. */
  private List<PlannedDataset> pickPilot(List<PlannedDataset> planned) {
    Map<String, List<PlannedDataset>> classes = new LinkedHashMap<>();
    for (PlannedDataset dataset : planned) {
      if (dataset.sourceError() == null) {
        classes.computeIfAbsent(pilotClass(dataset), c -> new ArrayList<>()).add(dataset);
      }
    }
    List<List<PlannedDataset>> queues = new ArrayList<>();
    classes.entrySet().stream()
        .sorted(
            Comparator.<Map.Entry<String, List<PlannedDataset>>>comparingInt(
                    e -> -e.getValue().size())
                .thenComparing(Map.Entry::getKey))
        .forEach(e -> queues.add(medianFirst(e.getValue())));
    List<PlannedDataset> picked = new ArrayList<>();
    for (int round = 0; picked.size() < pilot; round++) {
      boolean any = false;
      for (List<PlannedDataset> queue : queues) {
        if (round < queue.size() && picked.size() < pilot) {
          picked.add(queue.get(round));
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    return picked;
  }

  /** The datasets of a class ordered from the median size outwards. */
  private static List<PlannedDataset> medianFirst(List<PlannedDataset> members) {
    List<PlannedDataset> bySize = new ArrayList<>(members);
    bySize.sort(
        Comparator.comparingLong(PlannedDataset::sizeBytes).thenComparing(p -> p.spec().id()));
    List<PlannedDataset> ordered = new ArrayList<>();
    int middle = (bySize.size() - 1) / 2;
    for (int step = 0; ordered.size() < bySize.size(); step++) {
      int below = middle - step;
      int above = middle + step + 1;
      if (below >= 0) {
        ordered.add(bySize.get(below));
      }
      if (above < bySize.size()) {
        ordered.add(bySize.get(above));
      }
    }
    return ordered;
  }

  /** Splits one wave into partitions of similar size, appended to {@code into}. */
  private void split(List<PlannedDataset> wave, int waveIndex, List<Plan.Partition> into) {
    List<PlannedDataset> sorted = new ArrayList<>(wave);
    sorted.sort(
        Comparator.comparingLong(PlannedDataset::sizeBytes)
            .reversed()
            .thenComparing(p -> p.spec().id()));
    int count = Math.max(1, Math.min(partitions, sorted.size()));
    List<List<PlannedDataset>> buckets = new ArrayList<>();
    long[] sizes = new long[count];
    for (int i = 0; i < count; i++) {
      buckets.add(new ArrayList<>());
    }
    for (PlannedDataset dataset : sorted) {
      int lightest = 0;
      for (int i = 1; i < count; i++) {
        if (sizes[i] < sizes[lightest]
            || (sizes[i] == sizes[lightest]
                && buckets.get(i).size() < buckets.get(lightest).size())) {
          lightest = i;
        }
      }
      buckets.get(lightest).add(dataset);
      sizes[lightest] += dataset.sizeBytes();
    }
    for (int i = 0; i < count; i++) {
      into.add(new Plan.Partition(into.size(), waveIndex, sizes[i], buckets.get(i)));
    }
  }
}
