package io.dsmigrate.job.cutover;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import io.dsmigrate.job.spec.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Finds what still reads the files of backups, in one pass over the metastore for all of them:
 *
 * <ul>
 *   <li>a Delta table (any Delta table in the metastore, and any Delta target location given) whose
 *       current snapshot holds files under a backup's location, as a shallow clone of the backup
 *       does; the files are read from Delta's own snapshot ({@link Snapshot#allFiles}), filtered on
 *       the executors;
 *   <li>another table whose location is under a backup's location;
 *   <li>a view whose SQL names a backup;
 *   <li>a backup that is not Delta but whose directory holds a {@code _delta_log} (converted to
 *       Delta in place: readers by path read its files).
 * </ul>
 */
final class BackupReaders {
  /** How many of a Delta table's files under backups are brought to the driver, at most. */
  private static final int FILES_LOOKED_AT = 1000;

  /**
   * A backup to look for.
   *
   * @param table {@code db.name}
   * @param location where its files are
   * @param delta whether the backup is a Delta table
   */
  record Backup(String table, URI location, boolean delta) {
    Backup {
      requireNonNull(table, "table is null");
      requireNonNull(location, "location is null");
    }

    String normalizedLocation() {
      return normalized(location);
    }
  }

  private BackupReaders() {}

  /**
   * What reads each backup (by backup table name): one line per reader, saying who and what to do.
   *
   * @param deltaLocations more Delta tables to look into, by location (the targets in the results
   *     table: some have no table name)
   */
  static Map<String, List<String>> find(
      SparkSession spark, List<Backup> backups, Collection<String> deltaLocations) {
    Map<String, List<String>> readers = new LinkedHashMap<>();
    backups.forEach(backup -> readers.put(backup.table(), new ArrayList<>()));
    // Delta tables to look into: normalized location -> who it is.
    Map<String, String> deltaTables = new LinkedHashMap<>();
    ExternalCatalog catalog = spark.sessionState().catalog().externalCatalog();
    for (String database : CollectionConverters.asJava(catalog.listDatabases())) {
      List<CatalogTable> tables =
          CollectionConverters.asJava(
              catalog.getTablesByName(database, catalog.listTables(database)));
      for (CatalogTable table : tables) {
        String name = database + "." + table.identifier().table();
        if (readers.containsKey(name)) {
          continue;
        }
        if (table.tableType() == CatalogTableType.VIEW()) {
          String text = table.viewText().isDefined() ? table.viewText().get() : "";
          for (Backup backup : backups) {
            if (names(text, backup.table())) {
              readers
                  .get(backup.table())
                  .add("view " + name + " names it in its SQL: change or drop the view");
            }
          }
          continue;
        }
        if (table.storage().locationUri().isEmpty()) {
          continue;
        }
        String location = normalized(table.location());
        for (Backup backup : backups) {
          if (under(location, backup.normalizedLocation())) {
            readers
                .get(backup.table())
                .add(
                    "table "
                        + name
                        + " is located inside it ("
                        + location
                        + "): dropping the backup would delete its files. Move or drop "
                        + name);
          }
        }
        boolean delta =
            table.provider().isDefined()
                && table.provider().get().toLowerCase(Locale.ROOT).equals("delta");
        if (delta) {
          deltaTables.putIfAbsent(location, "Delta table " + name);
        }
      }
    }
    for (String location : deltaLocations) {
      deltaTables.putIfAbsent(Names.path(location), "Delta table at " + location);
    }
    deltaTables.forEach(
        (location, who) -> {
          for (Map.Entry<Backup, String> read : filesRead(spark, location, backups).entrySet()) {
            readers
                .get(read.getKey().table())
                .add(
                    who
                        + " reads its files (e.g. "
                        + read.getValue()
                        + "): it was made from the backup, as a shallow clone is. Drop it, or"
                        + " make a copy that owns its files (CREATE TABLE ... DEEP CLONE) and drop"
                        + " it, then run drop-backups again");
          }
        });
    for (Backup backup : backups) {
      Path log = new Path(new Path(backup.location()), "_delta_log");
      if (!backup.delta() && exists(spark, log)) {
        readers
            .get(backup.table())
            .add(
                "its directory was converted to Delta in place ("
                    + log
                    + " exists): Delta readers by path read its files. Remove that _delta_log"
                    + " once nothing reads "
                    + backup.location()
                    + " as Delta, then run drop-backups again");
      }
    }
    return readers;
  }

  /**
   * The backups that the Delta table at {@code location} has files in, each with one such file.
   * Files a table owns are recorded relative to it; files it reads from elsewhere (a clone's) are
   * absolute, so only those can be under a backup.
   */
  private static Map<Backup, String> filesRead(
      SparkSession spark, String location, List<Backup> backups) {
    Map<Backup, String> found = new LinkedHashMap<>();
    if (!exists(spark, new Path(location, "_delta_log"))) {
      return found; // not Delta (a Parquet target), or gone (rolled back)
    }
    Snapshot snapshot = DeltaLog.forTableWithSnapshot(spark, location)._2();
    if (snapshot.version() < 0) {
      return found;
    }
    Column inAnyBackup = null;
    for (Backup backup : backups) {
      if (backup.normalizedLocation().equals(location)) {
        continue; // the backup itself, found by its location
      }
      Column inBackup = col("path").contains(backup.location().getRawPath() + "/");
      inAnyBackup = inAnyBackup == null ? inBackup : inAnyBackup.or(inBackup);
    }
    if (inAnyBackup == null) {
      return found;
    }
    List<String> paths =
        snapshot
            .allFiles()
            .select("path")
            .where(inAnyBackup)
            .limit(FILES_LOOKED_AT)
            .as(Encoders.STRING())
            .collectAsList();
    for (String path : paths) {
      String file = normalizedFile(path);
      for (Backup backup : backups) {
        if (file != null && under(file, backup.normalizedLocation())) {
          found.putIfAbsent(backup, file);
        }
      }
    }
    return found;
  }

  private static boolean names(String sql, String table) {
    String name = table.substring(table.indexOf('.') + 1);
    return Pattern.compile("(?i)(^|[^a-z0-9_])" + Pattern.quote(name) + "([^a-z0-9_]|$)")
        .matcher(sql)
        .find();
  }

  private static boolean under(String location, String directory) {
    return location.equals(directory) || location.startsWith(directory + "/");
  }

  /** A location in the form {@link Names#path} gives, from a URI (which may hold escapes). */
  private static String normalized(URI location) {
    return Names.path(new Path(location).toString());
  }

  /** A Delta file path (a URI string), normalized; null for a relative one. */
  private static String normalizedFile(String path) {
    try {
      URI uri = new URI(path);
      return uri.isAbsolute() || path.startsWith("/") ? normalized(uri) : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static boolean exists(SparkSession spark, Path path) {
    try {
      return path.getFileSystem(spark.sessionState().newHadoopConf()).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot look at " + path + ": " + e.getMessage(), e);
    }
  }
}
