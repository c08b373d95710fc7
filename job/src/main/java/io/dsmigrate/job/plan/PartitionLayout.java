package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.spec.Names;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What the metastore says a partitioned table holds: its own location and every registered
 * partition, with its values and its own location (under the table directory or anywhere else). A
 * directory under the table directory that no partition names holds no rows of the table.
 *
 * @param table the table ({@code db.name})
 * @param tableLocation the table's location, an encoded URI (see {@link
 *     PartitionLayout#normalized})
 * @param partitions the registered partitions, in the metastore's order
 */
public record PartitionLayout(String table, String tableLocation, List<Partition> partitions) {
  /**
   * A registered partition.
   *
   * @param index its place in the metastore's list (and in a snapshot)
   * @param values partition column to value, as the metastore holds them
   * @param location where its files are, an encoded URI (see {@link #normalized})
   */
  public record Partition(int index, Map<String, String> values, String location) {
    public Partition {
      values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
      requireNonNull(location, "location is null");
    }

    /** The location as a Hadoop path (the location is an encoded URI). */
    public Path path() {
      return new Path(URI.create(location));
    }

    /** {@code dt=b/region=eu}, the way Hive names a partition. */
    public String describe() {
      return values.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("/"));
    }
  }

  public PartitionLayout {
    requireNonNull(table, "table is null");
    requireNonNull(tableLocation, "tableLocation is null");
    partitions = List.copyOf(partitions);
  }

  /** The layout of a table from its definition and the partitions the metastore lists for it. */
  public static PartitionLayout of(CatalogTable table, List<CatalogTablePartition> partitions) {
    List<Partition> registered = new ArrayList<>();
    for (CatalogTablePartition partition : partitions) {
      registered.add(
          new Partition(
              registered.size(),
              CollectionConverters.asJava(partition.spec()),
              partition.storage().locationUri().isDefined()
                  ? normalized(partition.location())
                  : "(none)"));
    }
    return new PartitionLayout(
        table.identifier().unquotedString(), normalized(table.location()), registered);
  }

  /** The layout of a table as the metastore holds it now. */
  public static PartitionLayout of(SparkSession spark, String table) {
    CatalogTable definition = SourceResolver.catalogTable(spark, table);
    return of(definition, listPartitions(spark, definition));
  }

  /** The partitions the metastore registers for a table (none for an unpartitioned table). */
  public static List<CatalogTablePartition> listPartitions(SparkSession spark, CatalogTable table) {
    if (table.partitionColumnNames().isEmpty()) {
      return List.of();
    }
    return CollectionConverters.asJava(
        spark
            .sharedState()
            .externalCatalog()
            .listPartitions(table.database(), table.identifier().table(), scala.Option.empty()));
  }

  /** Whether the partition's files are under the table directory (a copy of it holds them). */
  public boolean insideTable(Partition partition) {
    return inside(partition.location(), tableLocation);
  }

  /**
   * Where the files of a partition under the table directory are in a copy of that directory at
   * {@code copy}.
   */
  public Path inCopyOfTable(Partition partition, Path copy) {
    String relative =
        URI.create(tableLocation + "/").relativize(URI.create(partition.location())).getPath();
    return new Path(copy, relative);
  }

  /**
   * Why the partitions cannot be snapshotted and restored safely, one sentence each (empty when
   * they can): two partitions at one location or one inside another's, a partition that holds the
   * table directory, one that overlaps the target's location or another table's location, one whose
   * file system cannot be reached. Copying, clearing or restoring such a partition would read rows
   * twice or write over data that is not this table's.
   *
   * @param targetLocation where the target is written
   */
  public List<String> unsafeForSnapshot(SparkSession spark, String targetLocation) {
    List<String> problems = new ArrayList<>();
    Configuration conf = spark.sessionState().newHadoopConf();
    for (Partition partition : partitions) {
      if (partition.location().equals("(none)")) {
        problems.add(partition.describe() + " has no location in the metastore");
        continue;
      }
      try {
        Path path = partition.path();
        path.getFileSystem(conf).exists(path);
      } catch (IOException | RuntimeException e) {
        problems.add(
            partition.describe()
                + " ("
                + partition.location()
                + "): its file system cannot be reached: "
                + firstLine(e.getMessage()));
      }
    }
    for (int i = 0; i < partitions.size(); i++) {
      Partition one = partitions.get(i);
      for (int j = i + 1; j < partitions.size(); j++) {
        Partition other = partitions.get(j);
        if (one.location().equals(other.location())) {
          problems.add(
              one.describe()
                  + " and "
                  + other.describe()
                  + " share the location "
                  + one.location());
        } else if (inside(one.location(), other.location())
            || inside(other.location(), one.location())) {
          Partition inner = inside(one.location(), other.location()) ? one : other;
          Partition outer = inner == one ? other : one;
          problems.add(
              inner.describe()
                  + " ("
                  + inner.location()
                  + ") is inside the location of "
                  + outer.describe()
                  + " ("
                  + outer.location()
                  + ")");
        }
      }
      if (one.location().equals(tableLocation) || inside(tableLocation, one.location())) {
        problems.add(
            one.describe()
                + " ("
                + one.location()
                + ") holds the table's own directory "
                + tableLocation);
      }
      String target = targetLocation == null ? null : normalized(targetLocation);
      if (target != null && !target.equals(tableLocation) && overlap(one.location(), target)) {
        problems.add(
            one.describe() + " (" + one.location() + ") overlaps the target's location " + target);
      }
    }
    List<Partition> outside = partitions.stream().filter(p -> !insideTable(p)).toList();
    if (!outside.isEmpty()) {
      for (Map.Entry<String, String> other : otherTableLocations(spark).entrySet()) {
        for (Partition partition : outside) {
          if (overlap(partition.location(), other.getValue())) {
            problems.add(
                partition.describe()
                    + " ("
                    + partition.location()
                    + ") overlaps the location of table "
                    + other.getKey()
                    + " ("
                    + other.getValue()
                    + ")");
          }
        }
      }
    }
    return problems;
  }

  /** Every other table's location, by name: one metastore call per database. */
  private Map<String, String> otherTableLocations(SparkSession spark) {
    ExternalCatalog catalog = spark.sharedState().externalCatalog();
    Map<String, String> locations = new LinkedHashMap<>();
    for (String database : CollectionConverters.asJava(catalog.listDatabases())) {
      for (CatalogTable other :
          CollectionConverters.asJava(
              catalog.getTablesByName(database, catalog.listTables(database)))) {
        String name = other.identifier().unquotedString();
        if (!Names.table(name).equals(Names.table(table))
            && other.storage().locationUri().isDefined()) {
          locations.put(name, normalized(other.location()));
        }
      }
    }
    return locations;
  }

  /**
   * A location (an encoded URI, as the metastore gives it) in one spelling: normalized, {@code
   * file:/} for local files, no trailing slash. Unlike {@link Names#path}, which takes a path as a
   * person writes it, this never encodes an escaped character ({@code %3A} in a partition directory
   * name) a second time.
   */
  static String normalized(URI location) {
    String text = new Path(location).toUri().normalize().toString();
    if (text.startsWith("file:///")) {
      text = "file:/" + text.substring("file:///".length());
    }
    while (text.endsWith("/") && text.length() > "file:/".length()) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }

  private static String normalized(String location) {
    try {
      URI uri = new URI(location);
      return uri.getScheme() == null ? Names.path(location) : normalized(uri);
    } catch (java.net.URISyntaxException e) {
      return Names.path(location);
    }
  }

  private static boolean overlap(String one, String other) {
    return one.equals(other) || inside(one, other) || inside(other, one);
  }

  /** Whether {@code location} is strictly below {@code directory}. */
  static boolean inside(String location, String directory) {
    return location.startsWith(directory.endsWith("/") ? directory : directory + "/");
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
