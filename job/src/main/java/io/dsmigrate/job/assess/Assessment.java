package io.dsmigrate.job.assess;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.plan.PartitionLayout;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.Unfaithful;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.security.SecuritySettings;
import io.dsmigrate.job.spec.SpecException;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.job.spec.SpecProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Assesses databases before they are migrated: crawls the metastore (tables and views, their
 * formats, sizes, partitions and where they lie, owners, comments, properties, the views that read
 * each table), flags what cannot be migrated faithfully and why ({@link TableIssues}), drafts one
 * spec per table ({@link SpecDrafts}) and records one row per table or view in the inventory
 * ({@link InventoryTable}).
 *
 * <p>A draft counts as migratable only once {@code plan}'s own code took it: the drafts are loaded
 * with {@link SpecLoader} and planned with {@link Planner}, and one that either refuses goes to
 * {@code needs-review} with the reason. So {@code plan --specs <dir>} plans every draft in the
 * directory as it is.
 *
 * <pre>{@code
 * Assessment.Result result =
 *     Assessment.of(spark).databases(List.of("legacy")).specs(Path.of("assessed-specs"))
 *         .resultsDatabase("dsmigrate").execute();
 * }</pre>
 */
public final class Assessment {
  // Tables per getTablesByName call: the metastore turns the names into one IN list.
  private static final int BATCH = 500;

  private final SparkSession spark;
  private List<String> databases = List.of();
  private String targetDatabase;
  private Path specs;
  private String resultsDatabase = "dsmigrate";
  private SecuritySettings security = SecuritySettings.DEFAULT;
  private ReservedLocations reserved = ReservedLocations.of("dsmigrate");

  /**
   * What an assessment found.
   *
   * @param assessmentId its id, the inventory's {@code assessment_id}
   * @param rows one per table or view, in the order of the databases, then by name
   * @param kept drafts not written because a file there was edited, each naming the file
   * @param inventory the inventory table's name
   */
  public record Result(
      String assessmentId, List<InventoryRow> rows, List<String> kept, String inventory) {
    public Result {
      rows = List.copyOf(rows);
      kept = List.copyOf(kept);
    }
  }

  private Assessment(SparkSession spark) {
    this.spark = requireNonNull(spark, "spark is null");
  }

  public static Assessment of(SparkSession spark) {
    return new Assessment(spark);
  }

  /** The databases to assess. */
  public Assessment databases(List<String> names) {
    this.databases =
        names.stream().map(String::strip).map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
    return this;
  }

  /**
   * Drafts each table's migration to a table of the same name in {@code database} (null, the
   * default: to Delta in place, under its own name).
   */
  public Assessment targetDatabase(String database) {
    this.targetDatabase =
        database == null || database.isBlank() ? null : database.strip().toLowerCase(Locale.ROOT);
    return this;
  }

  /** Where the drafted specs go. */
  public Assessment specs(Path directory) {
    this.specs = requireNonNull(directory, "directory is null");
    return this;
  }

  /** The database of dsmigrate's own tables, where the inventory is (default "dsmigrate"). */
  public Assessment resultsDatabase(String database) {
    this.resultsDatabase = requireNonNull(database, "database is null");
    return this;
  }

  /** What specs may do, and dsmigrate's own state that they may not touch, as {@code plan} does. */
  public Assessment checks(SecuritySettings security, ReservedLocations reserved) {
    this.security = requireNonNull(security, "security is null");
    this.reserved = requireNonNull(reserved, "reserved is null");
    return this;
  }

  /**
   * Assesses the databases, drafts the specs and appends the inventory rows.
   *
   * @throws IllegalArgumentException for no database, one that does not exist or dsmigrate's own
   */
  public Result execute() {
    checkOptions();
    Instant started = Instant.now();
    String assessmentId =
        "assess-"
            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(started)
            + "-"
            + UUID.randomUUID().toString().substring(0, 6);
    SparkContext context = spark.sparkContext();
    String group = context.getLocalProperty("spark.jobGroup.id");
    String description = context.getLocalProperty("spark.job.description");
    context.setJobGroup("dsmigrate " + assessmentId, "assess: " + databases, false);
    try {
      return assess(assessmentId, Timestamp.from(started));
    } finally {
      context.setLocalProperty("spark.jobGroup.id", group);
      context.setLocalProperty("spark.job.description", description);
    }
  }

  private void checkOptions() {
    if (databases.isEmpty()) {
      throw new IllegalArgumentException("give the databases to assess: --databases db1,db2");
    }
    if (specs == null) {
      throw new IllegalArgumentException("give the directory for the drafted specs: --out DIR");
    }
    for (String database : databases) {
      if (database.equals(resultsDatabase.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "Cannot assess "
                + database
                + ": it is dsmigrate's own database (dsmigrate.results.database), whose tables are"
                + " never migrated. Remove it from --databases");
      }
      if (!spark.catalog().databaseExists(database)) {
        throw new IllegalArgumentException(
            "Cannot assess "
                + database
                + ": no such database in the metastore. Fix --databases (the metastore has: "
                + String.join(
                    ", ",
                    CollectionConverters.asJava(
                        spark.sharedState().externalCatalog().listDatabases()))
                + ")");
      }
    }
  }

  /** A table the crawl read, or the reason its definition could not be read. */
  private record Crawled(String database, String table, CatalogTable definition, String error) {}

  private Result assess(String assessmentId, Timestamp assessedAt) {
    List<Crawled> crawled = new ArrayList<>();
    for (String database : databases) {
      crawled.addAll(crawl(database));
    }
    List<CatalogTable> views =
        crawled.stream()
            .map(Crawled::definition)
            .filter(t -> t != null && t.tableType() == CatalogTableType.VIEW())
            .toList();
    Map<String, List<String>> dependents = ViewDependencies.dependents(spark, views);
    SpecDrafts drafts = new SpecDrafts(specs);
    List<InventoryRow> rows = new ArrayList<>();
    Map<Integer, SpecDrafts.Draft> drafted = new LinkedHashMap<>();
    List<String> kept = new ArrayList<>();
    for (Crawled table : crawled) {
      String name = table.database() + "." + table.table();
      List<String> readers = dependents.getOrDefault(name, List.of());
      InventoryRow row =
          table.definition() == null
              ? unreadable(assessmentId, assessedAt, table, readers)
              : facts(assessmentId, assessedAt, table.definition(), readers);
      SpecDrafts.Draft draft = table.definition() == null ? null : draft(row, table.definition());
      if (draft != null) {
        Path file = draft.issues().isEmpty() ? drafts.file(row.database(), row.table()) : null;
        Path review = drafts.review(row.database(), row.table());
        String refused =
            file != null
                ? drafts.write(file, review, draft.text())
                : drafts.write(review, drafts.file(row.database(), row.table()), draft.text());
        if (refused != null) {
          kept.add(refused);
        }
        row = row.withSpecFile((file != null ? file : review).toString());
        if (file != null) {
          drafted.put(rows.size(), draft);
        }
      }
      rows.add(row);
    }
    verify(rows, drafted, drafts, kept);
    InventoryTable inventory = InventoryTable.in(spark, resultsDatabase);
    inventory.append(rows);
    return new Result(assessmentId, rows, kept, inventory.name());
  }

  /** The database's tables and views, read in bulk; one whose definition cannot be read, alone. */
  private List<Crawled> crawl(String database) {
    ExternalCatalog catalog = spark.sharedState().externalCatalog();
    List<String> names =
        CollectionConverters.asJava(catalog.listTables(database)).stream().sorted().toList();
    List<Crawled> crawled = new ArrayList<>();
    for (int from = 0; from < names.size(); from += BATCH) {
      List<String> batch = names.subList(from, Math.min(names.size(), from + BATCH));
      try {
        Map<String, CatalogTable> found = new LinkedHashMap<>();
        for (CatalogTable table :
            CollectionConverters.asJava(
                catalog.getTablesByName(database, CollectionConverters.asScala(batch).toSeq()))) {
          found.put(table.identifier().table(), table);
        }
        for (String name : batch) {
          crawled.add(
              new Crawled(
                  database,
                  name,
                  found.get(name),
                  found.containsKey(name) ? null : "dropped while it was read"));
        }
      } catch (Exception e) { // one table Spark cannot read fails the batch: read them one by one
        for (String name : batch) {
          try {
            crawled.add(new Crawled(database, name, catalog.getTable(database, name), null));
          } catch (Exception failure) {
            crawled.add(new Crawled(database, name, null, firstLine(failure.getMessage())));
          }
        }
      }
    }
    return crawled;
  }

  private InventoryRow unreadable(
      String assessmentId, Timestamp assessedAt, Crawled table, List<String> readers) {
    String name = table.database() + "." + table.table();
    return new InventoryRow(
        assessmentId,
        assessedAt,
        table.database(),
        table.table(),
        null,
        null,
        null,
        null,
        null,
        List.of(),
        0,
        0,
        null,
        null,
        Map.of(),
        readers,
        false,
        List.of(
            "unreadable: Spark cannot read the metastore's definition of "
                + name
                + " ("
                + table.error()
                + "), so neither can a migration; copy it with Hive to a table of types and a"
                + " format Spark reads, and assess that"),
        null);
  }

  /** What the metastore and the file system say of a table or view, and its issues. */
  private InventoryRow facts(
      String assessmentId, Timestamp assessedAt, CatalogTable table, List<String> readers) {
    String owner = table.owner() == null || table.owner().isBlank() ? null : table.owner();
    String comment = table.comment().isDefined() ? table.comment().get() : null;
    Map<String, String> properties = CollectionConverters.asJava(table.properties());
    if (table.tableType() == CatalogTableType.VIEW()) {
      return new InventoryRow(
          assessmentId,
          assessedAt,
          table.database(),
          table.identifier().table(),
          "VIEW",
          null,
          null,
          null,
          null,
          List.of(),
          0,
          0,
          owner,
          comment,
          properties,
          readers,
          false,
          List.of(viewIssue(table)),
          null);
    }
    PartitionLayout layout =
        PartitionLayout.of(table, PartitionLayout.listPartitions(spark, table));
    List<String> issues = new ArrayList<>(TableIssues.of(spark, table, layout, inPlace(table)));
    long outside = layout.partitions().stream().filter(p -> !layout.insideTable(p)).count();
    Long bytes = null;
    Long files = null;
    try {
      long[] size = footprint(layout);
      bytes = size[0];
      files = size[1];
    } catch (IOException | RuntimeException e) {
      issues.add(
          "location: "
              + layout.tableLocation()
              + " cannot be read ("
              + firstLine(e.getMessage())
              + "), so neither can a migration; check that it exists and that dsmigrate may read"
              + " it");
    }
    return new InventoryRow(
        assessmentId,
        assessedAt,
        table.database(),
        table.identifier().table(),
        table.tableType().name(),
        format(table),
        table.location().toString(),
        bytes,
        files,
        CollectionConverters.asJava(table.partitionColumnNames()),
        layout.partitions().size(),
        outside,
        owner,
        comment,
        properties,
        readers,
        issues.isEmpty(),
        issues,
        null);
  }

  private static String viewIssue(CatalogTable view) {
    Unfaithful reason = Unfaithful.VIEW;
    return "view: "
        + view.identifier().unquotedString()
        + " is "
        + reason.what(view)
        + ": "
        + reason.why()
        + "; migrate the tables it reads and, where they get new names, create it again over them";
  }

  private boolean inPlace(CatalogTable table) {
    return targetDatabase == null || targetDatabase.equals(table.database());
  }

  /**
   * The format as the inventory names it: the provider of a Spark table, or for a Hive table the
   * format its serde reads (parquet, orc, avro; any other serde is "hive-serde").
   */
  private static String format(CatalogTable table) {
    String format = SourceResolver.format(table);
    if (!format.equals("hive-text")) {
      return format;
    }
    return SourceResolver.serde(table).contains("avro") ? "avro" : "hive-serde";
  }

  /** Bytes and files under the table's location and its partitions' locations outside it. */
  private long[] footprint(PartitionLayout layout) throws IOException {
    Configuration conf = spark.sessionState().newHadoopConf();
    List<String> locations = new ArrayList<>();
    locations.add(layout.tableLocation());
    for (PartitionLayout.Partition partition : layout.partitions()) {
      if (!layout.insideTable(partition)
          && !partition.location().equals("(none)")
          && locations.stream().noneMatch(l -> within(partition.location(), l))) {
        locations.add(partition.location());
      }
    }
    long bytes = 0;
    long files = 0;
    for (String location : locations) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(java.net.URI.create(location));
      FileSystem fileSystem = path.getFileSystem(conf);
      if (fileSystem.exists(path)) {
        ContentSummary summary = fileSystem.getContentSummary(path);
        bytes += summary.getLength();
        files += summary.getFileCount();
      }
    }
    return new long[] {bytes, files};
  }

  private static boolean within(String location, String directory) {
    return location.equals(directory) || location.startsWith(directory + "/");
  }

  /** The drafted spec of a table (none for a view, or a Delta table in place). */
  private SpecDrafts.Draft draft(InventoryRow row, CatalogTable table) {
    if (row.kind().equals("VIEW") || (inPlace(table) && "delta".equals(row.format()))) {
      return null;
    }
    String source = row.name();
    String target = inPlace(table) ? source : targetDatabase + "." + row.table();
    List<String> notes = new ArrayList<>();
    notes.add(
        inPlace(table)
            ? "target: in place, "
                + source
                + " becomes a Delta table under its own name and location (a Parquet table is"
                + " converted, with no data file rewritten); to a new table instead, change"
                + " target.table"
            : "target: a new Delta table " + target + "; " + source + " stays as it is");
    if (!row.partitionColumns().isEmpty()) {
      notes.add("partitionBy: the source's partition columns, as the target keeps them");
    }
    notes.add(
        "owner: "
            + (row.owner() == null
                ? "the metastore names none; set the team"
                : "from the metastore")
            + " (Backstage's spec.owner, whom notices tell)");
    if (!row.dependentViews().isEmpty()) {
      notes.add(
          "views that read it: "
              + String.join(", ", row.dependentViews())
              + (inPlace(table)
                  ? " (they keep reading it by name)"
                  : " (they keep reading " + source + ")"));
    }
    notes.add("validation.key: the columns that identify a row, if any, for a keyed diff");
    notes.add("consumers: the teams that read it");
    return new SpecDrafts.Draft(
        target,
        source,
        target,
        row.partitionColumns(),
        row.owner(),
        row.comment(),
        notes,
        row.issues());
  }

  /**
   * Loads and plans the drafts that count as migratable with {@code plan}'s own code; those it
   * refuses go to needs-review with its reason, and their rows say so.
   */
  private void verify(
      List<InventoryRow> rows,
      Map<Integer, SpecDrafts.Draft> drafted,
      SpecDrafts drafts,
      List<String> kept) {
    Map<String, Integer> byFile = new LinkedHashMap<>();
    drafted.keySet().forEach(index -> byFile.put(rows.get(index).specFile(), index));
    while (!byFile.isEmpty()) {
      List<Path> files = byFile.keySet().stream().map(Path::of).toList();
      SpecLoader.Result loaded = SpecLoader.load(files, security, reserved);
      Map<String, String> refused = new LinkedHashMap<>();
      for (SpecProblem problem : loaded.problems()) {
        refused.merge(problem.file(), "spec: " + problem, (a, b) -> a + "; " + b);
      }
      if (refused.isEmpty()) {
        try {
          for (PlannedDataset planned :
              Planner.of(spark).pilot(0).plan(loaded.specs()).datasets()) {
            if (planned.sourceError() != null) {
              refused.put(planned.spec().origin().file(), "plan: " + planned.sourceError());
            }
          }
        } catch (SpecException e) {
          for (SpecProblem problem : e.problems()) {
            refused.merge(problem.file(), "spec: " + problem, (a, b) -> a + "; " + b);
          }
        }
      }
      if (refused.isEmpty()) {
        return;
      }
      for (Map.Entry<String, String> entry : refused.entrySet()) {
        Integer index = byFile.remove(entry.getKey());
        if (index == null) {
          continue;
        }
        InventoryRow row = rows.get(index);
        SpecDrafts.Draft draft = drafted.get(index).withIssue(entry.getValue());
        Path review = drafts.review(row.database(), row.table());
        String notWritten =
            drafts.write(review, drafts.file(row.database(), row.table()), draft.text());
        if (notWritten != null) {
          kept.add(notWritten);
        }
        rows.set(index, row.withIssue(entry.getValue(), review.toString()));
      }
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
