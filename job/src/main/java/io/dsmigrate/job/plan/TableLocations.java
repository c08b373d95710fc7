package io.dsmigrate.job.plan;

import io.dsmigrate.job.spec.Names;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import org.apache.spark.sql.SparkSession;

/**
 * Where the files of a spec's source and target are, as the metastore says: a table's location, or
 * for a target table that does not exist yet, the default location Spark gives it in its database.
 */
public final class TableLocations {
  private TableLocations() {}

  /**
   * The location of {@code table} ({@code db.name}): its metastore location when it exists; else
   * where Spark would create it as a managed table (in its database's directory, or in the
   * warehouse for a database that does not exist yet, as Spark would create that too).
   */
  public static String of(SparkSession spark, String table) {
    return of(spark, TableLookup.live(spark), table);
  }

  static String of(SparkSession spark, TableLookup tables, String table) {
    String name = Names.table(table);
    if (tables.exists(name)) {
      return tables.definition(name).location().toString();
    }
    String database = name.substring(0, name.indexOf('.'));
    if (tables.databaseExists(database)) {
      return tables.defaultLocation(name);
    }
    return new org.apache.hadoop.fs.Path(
            spark.sessionState().conf().warehousePath(),
            database + ".db/" + SourceResolver.identifier(spark, name).table())
        .toString();
  }

  /** Where a target's files go: its path, else its table's location. */
  public static String target(SparkSession spark, TargetSpec target) {
    return target(spark, TableLookup.live(spark), target);
  }

  /**
   * Like {@link #target(SparkSession, TargetSpec)}, with the tables as {@code tables} read them.
   */
  public static String target(SparkSession spark, TableLookup tables, TargetSpec target) {
    return target.path() != null ? Names.path(target.path()) : of(spark, tables, target.table());
  }

  /**
   * Where a source's files are: its path, or its table's location; null for a table that does not
   * exist or has no location (a view): resolving the source reports why it cannot be migrated.
   */
  public static String source(SparkSession spark, SourceSpec source) {
    return source(TableLookup.live(spark), source);
  }

  /**
   * Like {@link #source(SparkSession, SourceSpec)}, with the tables as {@code tables} read them.
   */
  public static String source(TableLookup tables, SourceSpec source) {
    if (source.path() != null) {
      return Names.path(source.path());
    }
    String name = Names.table(source.table());
    if (!tables.exists(name)) {
      return null;
    }
    scala.Option<java.net.URI> location = tables.definition(name).storage().locationUri();
    return location.isDefined() ? location.get().toString() : null;
  }
}
