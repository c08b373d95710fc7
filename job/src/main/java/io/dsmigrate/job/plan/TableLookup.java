package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.spec.Names;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What the metastore says about tables: whether one exists, its definition, and where Spark would
 * create it. {@link #live} asks the metastore on every call; {@link #prefetched} reads the tables a
 * plan names once, with one call per database ({@code getTablesByName}) instead of several per
 * table, so that planning thousands of specs costs a few metastore round trips. A name that was not
 * prefetched, or whose database could not be read in bulk, is looked up live: the answers are the
 * same either way.
 */
public final class TableLookup {
  /** A database read in bulk: its location and its tables that the plan names, by name. */
  private record Database(URI location, Map<String, CatalogTable> tables) {}

  private final SparkSession spark;
  // Database name -> what was read; a database known not to exist maps to ABSENT.
  private final Map<String, Database> databases;

  private static final Database ABSENT = new Database(null, Map.of());

  // Tables per getTablesByName call: the metastore turns the names into one IN list.
  private static final int BATCH = 500;

  // The names (as Names.table gives them) that bulk look-ups answer for, parsed.
  private final Map<String, TableIdentifier> prefetched;

  private TableLookup(
      SparkSession spark,
      Map<String, Database> databases,
      Map<String, TableIdentifier> prefetched) {
    this.spark = requireNonNull(spark, "spark is null");
    this.databases = databases;
    this.prefetched = prefetched;
  }

  /** Asks the metastore on every call. */
  public static TableLookup live(SparkSession spark) {
    return new TableLookup(spark, Map.of(), Map.of());
  }

  /**
   * Reads {@code tables} (any spelling {@link Names#table} accepts) from the metastore: per
   * database, whether it exists, its location and the definitions of those tables, in one call per
   * 500 tables.
   */
  public static TableLookup prefetched(SparkSession spark, Collection<String> tables) {
    Map<String, List<TableIdentifier>> byDatabase = new TreeMap<>();
    Map<String, TableIdentifier> identifiers = new HashMap<>();
    for (String table : tables) {
      String name = Names.table(table);
      if (identifiers.containsKey(name)) {
        continue;
      }
      TableIdentifier identifier = bulkIdentifier(spark, name);
      identifiers.put(name, identifier);
      if (identifier != null) {
        byDatabase
            .computeIfAbsent(identifier.database().get(), d -> new ArrayList<>())
            .add(identifier);
      }
    }
    SessionCatalog catalog = spark.sessionState().catalog();
    ExternalCatalog external = spark.sharedState().externalCatalog();
    String globalTemp = spark.conf().get("spark.sql.globalTempDatabase", "global_temp");
    Map<String, Database> databases = new HashMap<>();
    for (Map.Entry<String, List<TableIdentifier>> entry : byDatabase.entrySet()) {
      String database = entry.getKey();
      if (database.equals(globalTemp)) {
        continue; // global temporary views are not in the metastore: looked up live
      }
      try {
        if (!catalog.databaseExists(database)) {
          databases.put(database, ABSENT);
          continue;
        }
        URI location = catalog.getDatabaseMetadata(database).locationUri();
        // The names of the database's tables cost one call; definitions are read only for the
        // tables that exist (a target that does not exist yet costs nothing more).
        Set<String> present =
            new HashSet<>(CollectionConverters.asJava(external.listTables(database)));
        List<TableIdentifier> wanted =
            entry.getValue().stream().filter(i -> present.contains(i.table())).toList();
        Map<String, CatalogTable> found = new HashMap<>();
        for (int from = 0; from < wanted.size(); from += BATCH) {
          List<TableIdentifier> batch = wanted.subList(from, Math.min(wanted.size(), from + BATCH));
          for (CatalogTable table :
              CollectionConverters.asJava(
                  catalog.getTablesByName(CollectionConverters.asScala(batch).toList()))) {
            found.put(table.identifier().table(), table);
          }
        }
        databases.put(database, new Database(location, found));
      } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
        // Left to live look-ups, which fail (or not) for each table as they always did.
      }
    }
    // A name is answered in bulk only when its database was read.
    identifiers.values().removeIf(i -> i == null || !databases.containsKey(i.database().get()));
    return new TableLookup(spark, databases, Map.copyOf(identifiers));
  }

  /** Whether {@code name} ({@code db.table}, as {@link Names#table} gives it) exists. */
  public boolean exists(String name) {
    Database database = prefetchedDatabase(name);
    if (database == null) {
      return spark.catalog().tableExists(name);
    }
    return database.tables().containsKey(tableOf(name));
  }

  /** The metastore's definition of {@code name}, which exists. */
  public CatalogTable definition(String name) {
    Database database = prefetchedDatabase(name);
    CatalogTable table = database == null ? null : database.tables().get(tableOf(name));
    return table != null ? table : SourceResolver.catalogTable(spark, name);
  }

  /** Whether {@code database} exists. */
  public boolean databaseExists(String database) {
    Database known = databases.get(database);
    return known != null ? known != ABSENT : spark.catalog().databaseExists(database);
  }

  /**
   * Where Spark creates {@code name} as a managed table in its database, which exists ({@link
   * SessionCatalog#defaultTablePath}, from the database's location read once).
   */
  public String defaultLocation(String name) {
    Database database = prefetchedDatabase(name);
    if (database == null || database == ABSENT) {
      return spark
          .sessionState()
          .catalog()
          .defaultTablePath(SourceResolver.identifier(spark, name))
          .toString();
    }
    TableIdentifier identifier = prefetched.get(name);
    // SessionCatalog.defaultTablePath: the table's (lower-case) name under the database's location.
    // Names.table gives the name in lower case, as formatTableName would.
    return new org.apache.hadoop.fs.Path(
            new org.apache.hadoop.fs.Path(database.location()), identifier.table())
        .toUri()
        .toString();
  }

  private Database prefetchedDatabase(String name) {
    TableIdentifier identifier = prefetched.get(name);
    return identifier == null ? null : databases.get(identifier.database().get());
  }

  private static String tableOf(String name) {
    return name.substring(name.indexOf('.') + 1);
  }

  /**
   * The identifier of a name that bulk look-ups answer for: {@code db.table} as Spark parses it,
   * the same parts as {@link Names#table} gives; anything else (a name Spark does not parse, more
   * parts) is left to live look-ups, which report it as they always did.
   */
  private static TableIdentifier bulkIdentifier(SparkSession spark, String name) {
    TableIdentifier identifier;
    try {
      identifier = SourceResolver.identifier(spark, name);
    } catch (RuntimeException e) {
      return null;
    }
    if (identifier.database().isEmpty()
        || !name.equals(identifier.database().get() + "." + identifier.table())) {
      return null;
    }
    return identifier;
  }
}
