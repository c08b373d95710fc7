package io.dsmigrate.job.migrate;

import io.dsmigrate.job.plan.TableLocations;
import io.dsmigrate.job.plan.TableLookup;
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
    check(spec, reserved(spark, settings), TableLookup.live(spark), spark);
  }

  /**
   * Like {@link #check(SparkSession, DatasetSpec, ReservedLocations)}, for many datasets: with the
   * locations {@link #reserved} gave and the tables as {@code tables} read them.
   */
  public static void check(
      DatasetSpec spec, ReservedLocations reserved, TableLookup tables, SparkSession spark) {
    refuse(
        spec,
        "source",
        spec.source().table(),
        spec.source().path(),
        TableLocations.source(tables, spec.source()),
        reserved);
    refuse(
        spec,
        "target",
        spec.target().table(),
        spec.target().path(),
        TableLocations.target(spark, tables, spec.target()),
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

  /**
   * The reserved locations of {@code settings}, with the results database's location as the
   * metastore has it: it may keep it elsewhere than the settings' warehouse says ({@code
   * spark.sql.warehouse.dir} given to spark-submit, a shared metastore).
   */
  public static ReservedLocations reserved(SparkSession spark, ReservedLocations reserved) {
    String database = reserved.resultsDatabase();
    if (database == null || !spark.catalog().databaseExists(database)) {
      return reserved;
    }
    return reserved.with(
        "the results database " + database + " (its location in the metastore)",
        spark.sessionState().catalog().getDatabaseMetadata(database).locationUri().toString());
  }
}
