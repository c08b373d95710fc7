package io.dsmigrate.job.plan;

import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What a table says about itself besides its rows (its comment, its user properties, its columns'
 * comments, its owner), and the one rule of what of it travels from a source to its target.
 *
 * <p>What travels, on both execution paths, and to the name a cut-over recreates:
 *
 * <ul>
 *   <li>The table comment (a Delta source: its description).
 *   <li>The columns' comments: a target column takes the comment of the source column it comes
 *       from. With column operations that is the column of the same name, or, for a column {@code
 *       transform.rename} renamed, the column it was renamed from (a cast keeps the comment, an
 *       added column has none, also when it takes the name of a dropped one). With {@code sql} or a
 *       {@code script} dsmigrate cannot see where a column comes from: a target column takes the
 *       comment of the source column of the same name, if any.
 *   <li>User table properties: every property of the source except those of the list below.
 *   <li>The owner, where the metastore reports one ({@link CatalogTable#owner}).
 * </ul>
 *
 * <p>What does not travel: Hive's and Spark's bookkeeping ({@code transient_*}, {@code
 * last_modified_by}, {@code last_modified_time}, {@code numFiles}, {@code numFilesErasureCoded},
 * {@code numPartitions}, {@code numRows}, {@code rawDataSize}, {@code totalSize}, {@code
 * COLUMN_STATS_ACCURATE}, {@code STATS_GENERATED*}, {@code DO_NOT_UPDATE_STATS}, {@code EXTERNAL},
 * {@code external.table.purge}, {@code TRANSLATED_TO_EXTERNAL}, {@code OBJCAPABILITIES}, {@code
 * bucketing_version}, {@code transactional}, {@code transactional_properties}, {@code impala.*},
 * {@code spark.sql.*}); the keys a table's definition holds elsewhere ({@code comment}, {@code
 * owner}, {@code location}, {@code path}, {@code provider}, {@code external}, {@code
 * is_managed_location}); Delta's protocol and its per-table bookkeeping ({@code
 * delta.minReaderVersion}, {@code delta.minWriterVersion}, {@code delta.feature.*}, {@code
 * delta.columnMapping.maxColumnId}, {@code delta.rowTracking.materialized*}, {@code
 * delta.inCommitTimestampEnablement*}, {@code delta.coordinatedCommits.*}, {@code
 * delta.lastUpdateVersion}, {@code delta.lastCommitTimestamp}); Delta CHECK constraints ({@code
 * delta.constraints.*}: they name columns that the transform may rename, cast or drop; add them to
 * the target again); and a source's own {@code dsmigrate.*} properties, which the target's replace.
 * Any other {@code delta.*} setting of a Delta source ({@code delta.appendOnly}, {@code
 * delta.enableChangeDataFeed}, {@code delta.logRetentionDuration}, ...) travels. A Parquet
 * directory has none of this: its target gets only what the spec sets and dsmigrate's own
 * properties.
 *
 * <p>The target then takes, over the source's: {@code target.comment}, {@code target.properties}
 * and {@code target.column-comments} of the spec, and dsmigrate's own properties {@value #SOURCE}
 * (the source as the spec names it), {@value #DATASET} (the spec's id) and {@value #RUN} (the run's
 * id).
 *
 * @param comment the table comment, or null
 * @param properties the properties that travel (for a target: all it is given)
 * @param columnComments comments by column name (for a target: by its columns' names)
 * @param owner the owner, or null when the metastore reports none
 */
public record TableMetadata(
    String comment,
    Map<String, String> properties,
    Map<String, String> columnComments,
    String owner)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The property that names the source a target was migrated from. */
  public static final String SOURCE = "dsmigrate.source";

  /** The property that names the dataset (spec id) a target was migrated for. */
  public static final String DATASET = "dsmigrate.dataset";

  /** The property that names the run that migrated a target. */
  public static final String RUN = "dsmigrate.run";

  /** Nothing: a Parquet directory's metadata. */
  public static final TableMetadata NONE = new TableMetadata(null, Map.of(), Map.of(), null);

  private static final String COMMENT = "comment";

  // Compared in lower case: Hive writes some of them in upper case, some tools in lower.
  private static final Set<String> BOOKKEEPING =
      Set.of(
          "last_modified_by",
          "last_modified_time",
          "numfiles",
          "numfileserasurecoded",
          "numpartitions",
          "numrows",
          "rawdatasize",
          "totalsize",
          "column_stats_accurate",
          "do_not_update_stats",
          "external",
          "external.table.purge",
          "translated_to_external",
          "objcapabilities",
          "bucketing_version",
          "transactional",
          "transactional_properties",
          "comment",
          "owner",
          "location",
          "path",
          "provider",
          "is_managed_location",
          "delta.minreaderversion",
          "delta.minwriterversion",
          "delta.columnmapping.maxcolumnid",
          "delta.lastupdateversion",
          "delta.lastcommittimestamp");

  private static final List<String> BOOKKEEPING_PREFIXES =
      List.of(
          "transient_",
          "stats_generated",
          "impala.",
          "spark.sql.",
          "dsmigrate.",
          "delta.feature.",
          "delta.rowtracking.materialized",
          "delta.incommittimestampenablement",
          "delta.coordinatedcommits.",
          "delta.constraints.");

  public TableMetadata {
    comment = comment == null || comment.isEmpty() ? null : comment;
    properties = properties == null ? Map.of() : copy(properties);
    columnComments = columnComments == null ? Map.of() : copy(columnComments);
    owner = owner == null || owner.isEmpty() ? null : owner;
  }

  /** Whether a source's property {@code key} travels to its target (see the rule above). */
  public static boolean travels(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return !BOOKKEEPING.contains(lower)
        && BOOKKEEPING_PREFIXES.stream().noneMatch(lower::startsWith);
  }

  /** What of a metastore table travels: for a Delta table see {@link #fromDelta}. */
  public static TableMetadata from(CatalogTable table) {
    return new TableMetadata(
        table.comment().isDefined() ? table.comment().get() : null,
        travelling(CollectionConverters.asJava(table.properties())),
        columnComments(table.schema()),
        table.owner());
  }

  /**
   * What of a Delta table travels: its description, its configuration, its schema's column comments
   * (all from its log) and {@code owner} (from the metastore, null for a path).
   */
  public static TableMetadata fromDelta(
      String description, Map<String, String> configuration, StructType schema, String owner) {
    return new TableMetadata(description, travelling(configuration), columnComments(schema), owner);
  }

  /**
   * What the target of {@code spec} carries: this source's metadata under the rule above, the
   * spec's comment, properties and column comments over it, and dsmigrate's own properties; its
   * column comments are keyed by the names of {@code targetSchema}'s columns.
   *
   * @throws MigrationException (COLUMN_NOT_FOUND) when {@code target.column-comments} names a
   *     column the target does not have
   */
  public TableMetadata forTarget(DatasetSpec spec, String runId, StructType targetSchema) {
    TargetSpec target = spec.target();
    Map<String, String> props = new LinkedHashMap<>(properties);
    props.putAll(target.properties());
    props.put(SOURCE, spec.source().describe());
    props.put(DATASET, spec.id());
    props.put(RUN, runId);

    List<String> missing = new ArrayList<>();
    for (String column : target.columnComments().keySet()) {
      if (matching(List.of(targetSchema.fieldNames()), column) == null) {
        missing.add(column);
      }
    }
    if (!missing.isEmpty()) {
      String column = missing.get(0);
      throw new MigrationException(
          ErrorClass.COLUMN_NOT_FOUND,
          "Cannot migrate "
              + spec.id()
              + ": target.column-comments names "
              + (missing.size() == 1 ? "column '" + column + "'" : "columns " + missing)
              + ", which the target does not have (its columns: "
              + String.join(", ", targetSchema.fieldNames())
              + "). Name the columns as the target has them after the transform, in "
              + spec.at("target.column-comments." + column));
    }
    Map<String, String> comments = new LinkedHashMap<>();
    for (String column : targetSchema.fieldNames()) {
      String given = find(target.columnComments(), column);
      String text = given != null ? given : find(columnComments, sourceColumn(spec, column));
      if (text != null && !text.isEmpty()) {
        comments.put(column, text);
      }
    }
    return new TableMetadata(
        target.comment() != null ? target.comment() : comment, props, comments, owner);
  }

  /**
   * {@code schema} with these column comments, and no other: a column without one here has none,
   * whatever its field carried (a Spark plan passes comments on unevenly: a rename keeps one, a
   * cast drops it). Other field metadata is kept.
   */
  public StructType commented(StructType schema) {
    StructField[] fields = schema.fields().clone();
    for (int i = 0; i < fields.length; i++) {
      StructField field = fields[i];
      MetadataBuilder metadata =
          new MetadataBuilder().withMetadata(field.metadata()).remove(COMMENT);
      String text = columnComments.get(field.name());
      if (text != null) {
        metadata.putString(COMMENT, text);
      }
      fields[i] =
          new StructField(field.name(), field.dataType(), field.nullable(), metadata.build());
    }
    return new StructType(fields);
  }

  /** Whether any property is a Delta table setting ({@code delta.*}). */
  public boolean setsDeltaProperties() {
    return properties.keySet().stream()
        .anyMatch(key -> key.toLowerCase(Locale.ROOT).startsWith("delta."));
  }

  /**
   * {@code table} owned by {@code owner}: the same object when {@code owner} is null, empty or
   * already its owner.
   */
  public static CatalogTable ownedBy(CatalogTable table, String owner) {
    if (owner == null || owner.isEmpty() || owner.equals(table.owner())) {
      return table;
    }
    return copy(table, owner, table.comment(), table.properties());
  }

  /**
   * {@code table} with this owner, comment and properties (over its own): for a table whose
   * metastore entry holds them (not Delta: its log does).
   */
  public CatalogTable describe(CatalogTable table) {
    Map<String, String> merged =
        new LinkedHashMap<>(CollectionConverters.asJava(table.properties()));
    merged.putAll(properties);
    return copy(
        table,
        owner != null ? owner : table.owner(),
        Option.apply(comment),
        scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(merged)));
  }

  // The source column a target column comes from, as far as the transform tells.
  private static String sourceColumn(DatasetSpec spec, String column) {
    TransformSpec transform = spec.transform();
    if (transform.sql() != null || transform.script() != null) {
      return column;
    }
    if (find(transform.add(), column) != null) {
      return null;
    }
    for (Map.Entry<String, String> rename : transform.rename().entrySet()) {
      if (rename.getValue().equalsIgnoreCase(column)) {
        return rename.getKey();
      }
    }
    for (String renamed : transform.rename().keySet()) {
      if (renamed.equalsIgnoreCase(column)) {
        return null; // renamed away: a column of this name is another one
      }
    }
    return column;
  }

  private static CatalogTable copy(
      CatalogTable table,
      String owner,
      Option<String> comment,
      scala.collection.immutable.Map<String, String> properties) {
    return table.copy(
        table.copy$default$1(),
        table.copy$default$2(),
        table.copy$default$3(),
        table.copy$default$4(),
        table.copy$default$5(),
        table.copy$default$6(),
        table.copy$default$7(),
        owner,
        table.copy$default$9(),
        table.copy$default$10(),
        table.copy$default$11(),
        properties,
        table.copy$default$13(),
        table.copy$default$14(),
        comment,
        table.copy$default$16(),
        table.copy$default$17(),
        table.copy$default$18(),
        table.copy$default$19(),
        table.copy$default$20(),
        table.copy$default$21(),
        table.copy$default$22());
  }

  private static Map<String, String> travelling(Map<String, String> properties) {
    Map<String, String> out = new LinkedHashMap<>();
    new java.util.TreeMap<>(properties)
        .forEach(
            (key, value) -> {
              if (travels(key)) {
                out.put(key, value);
              }
            });
    return out;
  }

  private static Map<String, String> columnComments(StructType schema) {
    Map<String, String> out = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      Option<String> text = field.getComment();
      if (text.isDefined() && !text.get().isEmpty()) {
        out.put(field.name(), text.get());
      }
    }
    return out;
  }

  // Column names are not case-sensitive in Spark.
  private static String find(Map<String, String> map, String name) {
    String key = matching(map.keySet(), name);
    return key == null ? null : map.get(key);
  }

  private static String matching(Iterable<String> names, String name) {
    if (name != null) {
      for (String candidate : names) {
        if (candidate.equalsIgnoreCase(name)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static Map<String, String> copy(Map<String, String> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
