package io.dsmigrate.job.migrate;

import io.dsmigrate.job.plan.TableLocations;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * dsmigrate's own state is off limits to every dataset, checked again when it runs: a plan may be
 * edited by hand or written with other settings, and a table's location is known only to the
 * metastore. The results database's tables, and anything at, under or above a reserved directory
 * (the table's metastore location for a table), fail the dataset with NOT_ALLOWED before anything
 * is read or written.
 */
public final class OffLimits {
  private OffLimits() {}

  public static void check(SparkSession spark, DatasetSpec spec, ReservedLocations settings) {
    ReservedLocations reserved = withResultsDatabaseLocation(spark, settings);
    refuse(
        spec,
        "source",
        spec.source().table(),
        spec.source().path(),
        TableLocations.source(spark, spec.source()),
        reserved);
    refuse(
        spec,
        "target",
        spec.target().table(),
        spec.target().path(),
        TableLocations.target(spark, spec.target()),
        reserved);
  }

  private static void refuse(
      DatasetSpec spec,
      String side,
      String table,
      String path,
      String location,
      ReservedLocations reserved) {
    String refusal = table == null ? null : reserved.tableRefusal(table);
    String field = side + ".table";
    if (refusal == null && location != null) {
      refusal =
          path != null
              ? reserved.locationRefusal(path)
              : reserved.locationRefusal(location, "table " + table + " (at " + location + ")");
      field = path != null ? side + ".path" : field;
    }
    Transformer.refuseIfAny(spec, field, refusal == null ? List.of() : List.of(refusal));
  }

  // The metastore may keep the results database elsewhere than the settings' warehouse says
  // (spark.sql.warehouse.dir given to spark-submit, a shared metastore).
  private static ReservedLocations withResultsDatabaseLocation(
      SparkSession spark, ReservedLocations reserved) {
    String database = reserved.resultsDatabase();
    if (database == null || !spark.catalog().databaseExists(database)) {
      return reserved;
    }
    return reserved.with(
        "the results database " + database + " (its location in the metastore)",
        spark.sessionState().catalog().getDatabaseMetadata(database).locationUri().toString());
  }
}
