package io.dsmigrate.job.agent;

import io.dsmigrate.job.plan.TableMetadata;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogStorageFormat;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTable$;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Registers the Delta tables the agents created, in the driver, one metastore call each: the entry
 * Delta's own writer leaves (provider {@code delta}, no schema or properties in the metastore, the
 * Delta log holding them; the table comment; managed when the spec gives no path, external at its
 * path otherwise), owned by the source's owner, so that both paths leave the same table behind.
 */
public final class TableRegistration {
  private final SparkSession spark;
  private final Set<String> databases = new HashSet<>();

  public TableRegistration(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * Registers {@code table} ({@code database.name}) over the Delta table at {@code location};
   * {@code external} when the spec gave the location; with the comment and owner of {@code
   * metadata} (no owner: the metastore's, the run's user).
   */
  public void register(String table, String location, boolean external, TableMetadata metadata) {
    int dot = table.indexOf('.');
    String database = table.substring(0, dot);
    String name = table.substring(dot + 1);
    SessionCatalog catalog = spark.sessionState().catalog();
    synchronized (TableRegistration.class) { // one creates a database, none races another
      if (databases.add(database) && !catalog.databaseExists(database)) {
        spark.sql("CREATE DATABASE IF NOT EXISTS `" + database.replace("`", "``") + "`");
      }
    }
    CatalogTable$ defaults = CatalogTable$.MODULE$;
    CatalogStorageFormat empty = CatalogStorageFormat.empty();
    CatalogStorageFormat storage =
        new CatalogStorageFormat(
            Option.apply(URI.create(location)),
            empty.inputFormat(),
            empty.outputFormat(),
            empty.serde(),
            empty.compressed(),
            empty.properties(),
            empty.serdeName());
    CatalogTable entry =
        new CatalogTable(
            new TableIdentifier(name, Option.apply(database)),
            external ? CatalogTableType.EXTERNAL() : CatalogTableType.MANAGED(),
            storage,
            new StructType(),
            Option.apply("delta"),
            defaults.$lessinit$greater$default$6(),
            defaults.$lessinit$greater$default$7(),
            metadata.owner() != null ? metadata.owner() : defaults.$lessinit$greater$default$8(),
            System.currentTimeMillis(),
            defaults.$lessinit$greater$default$10(),
            org.apache.spark.package$.MODULE$.SPARK_VERSION(),
            defaults.$lessinit$greater$default$12(),
            defaults.$lessinit$greater$default$13(),
            defaults.$lessinit$greater$default$14(),
            Option.apply(metadata.comment()),
            defaults.$lessinit$greater$default$16(),
            defaults.$lessinit$greater$default$17(),
            defaults.$lessinit$greater$default$18(),
            defaults.$lessinit$greater$default$19(),
            defaults.$lessinit$greater$default$20(),
            defaults.$lessinit$greater$default$21(),
            defaults.$lessinit$greater$default$22());
    catalog.createTable(entry, false, false);
  }
}
